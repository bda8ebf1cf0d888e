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
