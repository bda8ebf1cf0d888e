"""``app.yaml`` is a valid Slack manifest and agrees with the code.

The slash commands, bot events and bot scopes in the manifest must be exactly
what ``handlers/ids.py`` declares, and every id there must have a listener on
the real Bolt app built by ``bot.app.create_app`` (and nothing else must).
The one regex a listener may use is ``handlers.ids.item_pattern`` of a
per-item action: the card's plain id and App Home's ``<action>:<item id>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema.exceptions import ValidationError
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7
from slack_bolt import App, BoltResponse
from slack_bolt.listener import Listener
from slack_bolt.request import BoltRequest

from handlers.ids import (
    COMMAND_SCOPE,
    ITEM_ACTIONS,
    METHOD_SCOPES,
    Action,
    Command,
    Event,
    View,
    item_action_id,
    item_pattern,
)

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = ROOT / "app.yaml"
# Slack's published manifest schema, vendored with its licence (see its README.md).
SLACK_SCHEMA = ROOT / "tests" / "data" / "slack"
# The umbrella schema (manifest.schema.json) points at the versioned files by
# this URL; offline they are served from SLACK_SCHEMA / "schemas".
SCHEMA_URL_PREFIX = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"

KINDS = ("command", "action", "view", "event")


# -- manifest and schema ---------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    assert MANIFEST_PATH.is_file(), f"{MANIFEST_PATH} is missing"
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "app.yaml must be a YAML mapping"
    return data


def slack_schema_dir() -> Path:
    # Not a skip: the schema ships in the repository, and a skipped schema
    # check would let an invalid manifest through unnoticed.
    if not (SLACK_SCHEMA / "schemas").is_dir():
        pytest.fail(f"Slack's manifest schema is missing: expected {SLACK_SCHEMA}/schemas/ in the repository.")
    return SLACK_SCHEMA


def load_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        pytest.fail(f"Slack manifest schema file is missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def versioned_schema_path(manifest: dict[str, Any]) -> Path:
    # tests/data/slack/README.md: version 1 when _metadata.major_version is
    # absent or 1, version 2 when it is 2.
    major = (manifest.get("_metadata") or {}).get("major_version", 1)
    assert major in (1, 2), f"unknown manifest major_version {major!r}"
    return slack_schema_dir() / "schemas" / f"manifest.schema.{major}.0.0.json"


def local_registry(schemas_dir: Path) -> Registry:
    """Resolve the schema's remote ``$ref``s to the local copies; refuse (clearly) anything else."""

    def retrieve(uri: str) -> Resource:
        if not uri.startswith(SCHEMA_URL_PREFIX):
            raise NoSuchResource(ref=f"{uri} (no local copy; tests never fetch schemas over the network)")
        path = schemas_dir / Path(urlsplit(uri).path).name
        if not path.is_file():
            raise NoSuchResource(ref=f"{uri} (expected a local copy at {path})")
        return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT7)

    return Registry(retrieve=retrieve)


def schema_errors(schema: dict[str, Any], instance: dict[str, Any], registry: Registry) -> list[str]:
    cls = validator_for(schema)  # chosen by the schema's own $schema (draft-07 for Slack's)
    cls.check_schema(schema)
    validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)

    def leaves(error: ValidationError) -> Iterator[ValidationError]:
        # oneOf/anyOf/allOf failures carry the real reasons in their sub-errors.
        if error.context:
            for sub in error.context:
                yield from leaves(sub)
        else:
            yield error

    out: list[str] = []
    for error in validator.iter_errors(instance):
        for e in leaves(error):
            line = f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            line = line if len(line) <= 300 else line[:300] + "…"
            if line not in out:
                out.append(line)
    return sorted(out)


def test_manifest_validates_against_slacks_versioned_schema(manifest):
    schema_path = versioned_schema_path(manifest)
    schema = load_json(schema_path)
    assert schema.get("$schema") == "http://json-schema.org/draft-07/schema#", (
        f"{schema_path.name} declares {schema.get('$schema')!r}; check the validator choice"
    )
    errors = schema_errors(schema, manifest, local_registry(schema_path.parent))
    assert not errors, f"app.yaml does not validate against {schema_path.name}:\n" + "\n".join(errors)


def test_manifest_validates_against_slacks_umbrella_schema_resolved_offline(manifest):
    # The umbrella schema picks the version from _metadata.major_version and
    # $refs the versioned file by URL: this proves those refs resolve locally.
    slack = slack_schema_dir()
    schema = load_json(slack / "manifest.schema.json")
    errors = schema_errors(schema, manifest, local_registry(slack / "schemas"))
    assert not errors, "app.yaml does not validate against manifest.schema.json:\n" + "\n".join(errors)


def test_background_color_is_a_hex_colour(manifest):
    # The schema states this rule under the non-standard keyword "regex", which
    # JSON Schema validators ignore, so check it here with the schema's own regex.
    schema = load_json(versioned_schema_path(manifest))
    rule = schema["definitions"]["app-manifests.v1.display_information.schema"]["properties"]["background_color"]
    color = manifest["display_information"].get("background_color")
    assert color is not None, "display_information.background_color is not set"
    assert re.fullmatch(rule["regex"], color), f"background_color {color!r} is not #rgb or #rrggbb"


# -- manifest content -------------------------------------------------------------


def manifest_commands(manifest: dict[str, Any]) -> list[str]:
    return [c["command"] for c in manifest["features"]["slash_commands"]]


def manifest_bot_events(manifest: dict[str, Any]) -> list[str]:
    return list(manifest["settings"]["event_subscriptions"]["bot_events"])


def test_slash_commands_are_exactly_the_command_enum(manifest):
    commands = manifest_commands(manifest)
    assert len(commands) == len(set(commands)), f"duplicate slash commands: {commands}"
    assert set(commands) == {c.value for c in Command}


def test_every_slash_command_explains_itself_and_is_not_escaped(manifest):
    for c in manifest["features"]["slash_commands"]:
        assert c.get("description", "").strip(), f"{c['command']} has no description"
        assert c.get("usage_hint", "").strip(), f"{c['command']} has no usage_hint"
        assert c.get("should_escape") is False, f"{c['command']}: should_escape must be false"


def test_bot_events_are_exactly_the_event_enum(manifest):
    events = manifest_bot_events(manifest)
    assert len(events) == len(set(events)), f"duplicate bot events: {events}"
    assert set(events) == {e.value for e in Event}


def test_bot_scopes_are_exactly_what_the_called_methods_and_commands_need(manifest):
    granted = manifest["oauth_config"]["scopes"]["bot"]
    assert len(granted) == len(set(granted)), f"duplicate bot scopes: {granted}"
    needed = {s for scope in METHOD_SCOPES.values() if scope is not None
              for s in ((scope,) if isinstance(scope, str) else scope)} | {COMMAND_SCOPE}
    assert not needed - set(granted), f"missing bot scopes: {sorted(needed - set(granted))}"
    assert not set(granted) - needed, f"bot scopes nothing uses: {sorted(set(granted) - needed)}"


def test_interactivity_is_enabled_for_buttons_and_modals(manifest):
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_socket_mode_is_the_default(manifest):
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    # Socket Mode needs no public URL: none is shipped (no YOUR_HOST placeholder).
    urls = [
        *(c.get("url") for c in manifest["features"]["slash_commands"]),
        settings["interactivity"].get("request_url"),
        settings["event_subscriptions"].get("request_url"),
    ]
    assert [u for u in urls if u] == []


# -- the real Bolt app's listeners ---------------------------------------------------


@pytest.fixture(scope="module")
def bolt(tmp_path_factory) -> Iterator[App]:
    # Imported here so that the manifest-only tests above still run if the
    # app cannot be built.
    from bot.app import create_app
    from bot.kernel.settings import Settings

    db_dir = tmp_path_factory.mktemp("manifest")
    app = create_app(
        Settings(
            slack_bot_token="xoxb-test",
            slack_signing_secret="s",
            database_url=f"sqlite:///{db_dir}/t.sqlite3",
        )
    )
    try:
        yield app.bolt
    finally:
        app.engine.dispose()


def probe_body(kind: str, value: str) -> dict[str, Any]:
    """A minimal payload of ``kind`` for ``value``, shaped like Slack sends it."""
    if kind == "command":
        return {"command": value, "text": "", "user_id": "U1", "channel_id": "C1", "team_id": "T1",
                "trigger_id": "1.2.3", "response_url": "https://hooks.slack.com/commands/x"}
    if kind == "action":
        return {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "trigger_id": "1.2.3",
                "actions": [{"type": "button", "action_id": value, "block_id": "b1", "value": "1"}]}
    if kind == "view":
        return {"type": "view_submission", "user": {"id": "U1"}, "team": {"id": "T1"},
                "view": {"id": "V1", "type": "modal", "callback_id": value, "private_metadata": "",
                         "state": {"values": {}}}}
    if kind == "event":
        return {"type": "event_callback", "team_id": "T1", "event_id": "Ev1",
                "event": {"type": value, "user": "U1", "tab": "home"}}
    raise ValueError(kind)


def dispatches(listener: Listener, kind: str, value: str) -> bool:
    """Would Bolt run ``listener`` for this payload? (The same test Bolt's dispatch loop uses.)"""
    req = BoltRequest(body=probe_body(kind, value), mode="socket_mode")
    return listener.matches(req=req, resp=BoltResponse(status=200))


def closure_strings(listener: Listener) -> Iterator[str | re.Pattern[str]]:
    """Candidate ids a listener was registered with, read from its matchers'
    closures. Used only as candidates: whether they match is decided by
    ``dispatches``."""

    def walk(value: Any) -> Iterator[str | re.Pattern[str]]:
        if isinstance(value, (str, re.Pattern)):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                yield from walk(v)

    for matcher in listener.matchers:
        func = getattr(matcher, "func", None)
        for cell in getattr(func, "__closure__", None) or ():
            try:
                yield from walk(cell.cell_contents)
            except ValueError:  # empty cell
                continue


def describe(listener: Listener) -> str:
    fn = getattr(listener, "ack_function", None)
    name = getattr(fn, "__qualname__", repr(fn))
    module = getattr(fn, "__module__", "?")
    return f"{module}.{name} (registered for {list(closure_strings(listener))!r})"


def registered(bolt: App) -> tuple[dict[str, set[str]], list[str]]:
    """The ids each kind of listener answers to, and the listeners that answer
    to none of the known ids (e.g. an id typed in a listener instead of taken
    from handlers/ids.py, or a regex)."""
    known = {
        "command": {c.value for c in Command},
        "action": {a.value for a in Action},
        "view": {v.value for v in View},
        "event": {e.value for e in Event},
    }
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    unaccounted: list[str] = []
    allowed = {item_pattern(a).pattern for a in ITEM_ACTIONS}
    for listener in bolt._listeners:
        extra = {s for s in closure_strings(listener) if isinstance(s, str)}
        hits = {(kind, value) for kind in KINDS for value in known[kind] | extra if dispatches(listener, kind, value)}
        if any(isinstance(s, re.Pattern) and s.pattern not in allowed for s in closure_strings(listener)):
            unaccounted.append(f"{describe(listener)}: matches a regex other than handlers.ids.item_pattern")
        elif not hits:
            unaccounted.append(describe(listener))
        for kind, value in hits:
            found[kind].add(value)
    return found, unaccounted


def test_the_probes_see_the_apps_listeners(bolt):
    # Guards the helpers: if Bolt changed how listeners match, the tests below
    # must fail rather than pass on an empty set.
    found, _ = registered(bolt)
    assert bolt._listeners, "the app registered no listeners"
    assert all(found[kind] for kind in KINDS), f"no listener found for some kinds: {found}"


def test_registered_command_listeners_are_exactly_the_manifest_commands(bolt, manifest):
    found, unaccounted = registered(bolt)
    assert found["command"] == set(manifest_commands(manifest)) == {c.value for c in Command}
    assert not unaccounted, "listeners for ids not in handlers/ids.py:\n" + "\n".join(unaccounted)


def test_every_action_id_has_a_listener(bolt):
    found, _ = registered(bolt)
    missing = {a.value for a in Action} - found["action"]
    assert not missing, f"Action ids with no listener: {sorted(missing)}"


def listeners_for(bolt: App, action_id: str) -> list[Listener]:
    return [listener for listener in bolt._listeners if dispatches(listener, "action", action_id)]


def test_home_per_item_action_ids_reach_exactly_their_cards_listener(bolt):
    # App Home gives every waiting item its own buttons as `<action>:<item id>`;
    # each must land on the one listener the card's plain id lands on.
    for a in sorted(ITEM_ACTIONS):
        card = listeners_for(bolt, a.value)
        assert len(card) == 1, f"{a.value}: {len(card)} listeners"
        for item_id in (1, 2, 2**31 - 1):
            assert listeners_for(bolt, item_action_id(a, item_id)) == card, item_action_id(a, item_id)


def test_per_item_patterns_answer_no_other_action(bolt):
    # The patterns stay narrow: no other button's id, plain or per item, and
    # no id that merely starts like a per-item one, reaches a per-item listener.
    per_item = {id(listener) for a in ITEM_ACTIONS for listener in listeners_for(bolt, a.value)}
    for a in Action:
        for probe in (a.value, f"{a.value}:7", f"{a.value}x", f"x{a.value}"):
            hit = {id(listener) for listener in listeners_for(bolt, probe)} & per_item
            assert bool(hit) == (a in ITEM_ACTIONS and probe in (a.value, f"{a.value}:7")), probe


def test_every_view_callback_id_has_a_listener(bolt):
    found, _ = registered(bolt)
    missing = {v.value for v in View} - found["view"]
    assert not missing, f"View callback ids with no listener: {sorted(missing)}"


def test_every_subscribed_bot_event_has_a_listener(bolt, manifest):
    found, _ = registered(bolt)
    missing = set(manifest_bot_events(manifest)) - found["event"]
    assert not missing, f"bot events subscribed in app.yaml with no listener: {sorted(missing)}"


def test_every_listener_answers_an_id_from_handlers_ids(bolt, manifest):
    found, unaccounted = registered(bolt)
    assert not unaccounted, "listeners for ids not in handlers/ids.py:\n" + "\n".join(unaccounted)
    assert found["action"] <= {a.value for a in Action}
    assert found["view"] <= {v.value for v in View}
    # A listener for an event the manifest does not subscribe to never runs.
    assert found["event"] <= set(manifest_bot_events(manifest))
