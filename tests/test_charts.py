"""Report charts: a PNG that decodes, at any team size, with Chinese names."""

from __future__ import annotations

import io

from PIL import Image

from handlers.kit.charts import MAX_BARS, Bar, progress_chart


def decode(png: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(png))
    img.load()
    return img


def test_the_quota_chart_is_a_png_sized_to_the_team():
    small = decode(progress_chart([Bar("Alice", 3, 3), Bar("王芳", 1, 3)], title="Quota · 2026-W48",
                                  value_label="proposed", target_label="quota"))
    big = decode(progress_chart([Bar(f"Member {i}", i % 4, 3) for i in range(40)], title="Quota",
                                value_label="proposed", target_label="quota"))
    assert small.format == big.format == "PNG"
    assert big.height > small.height, "one row per member: a bigger team gets a taller chart"


def test_a_huge_team_is_capped_to_a_readable_chart():
    capped = decode(progress_chart([Bar(f"M{i}", 1, 3) for i in range(MAX_BARS)], title="t",
                                   value_label="v", target_label="t"))
    over = decode(progress_chart([Bar(f"M{i}", 1, 3) for i in range(MAX_BARS * 3)], title="t",
                                 value_label="v", target_label="t"))
    assert over.size == capped.size


def test_an_empty_team_still_draws():
    assert decode(progress_chart([], title="t", value_label="v", target_label="t")).format == "PNG"


def test_report_chart_draws_dollar_signs_in_names_literally():
    # A Slack name, a team name and a platform name are the users' text: with
    # mathtext on, `$\foo$` is an unknown TeX symbol and the whole chart fails.
    png = progress_chart([Bar("Bob $\\foo$", 1, 3), Bar("$x^2$ _a_ \\", 2, 3), Bar("王$芳$", 3, 3)],
                         title="Quota · $Growth\\$ · $\\alpha$", value_label="$WeChat$", target_label="\\bar{x}$")
    img = decode(png)
    assert img.format == "PNG"
    plain = decode(progress_chart([Bar("Bob", 1, 3), Bar("x", 2, 3), Bar("王芳", 3, 3)], title="Quota",
                                  value_label="v", target_label="t"))
    assert img.height == plain.height, "the same chart, its names drawn as typed"
