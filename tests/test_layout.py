"""The package's shape (README "Layout"): wings, import directions, pure modules, no circles.

Read with `ast`, so these hold for every import, including those inside functions."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "journal"
# Highest first: a wing may import the wings below it, never those above.
WINGS = ("reminders", "people", "care", "trends", "diary", "scans", "guidance", "help", "accounts",
         "platform")
# Logic with no Flask and no database: plain functions over plain values.
PURE = (
    "journal.scans.stages", "journal.help.nurse_line", "journal.care.triage",
    "journal.trends.chart", "journal.trends.insights", "journal.trends.periods",
    "journal.care.joincodes", "journal.help.phones", "journal.accounts.totp",
    "journal.accounts.session_rules", "journal.diary.validation", "journal.scans.validation",
    "journal.platform.clock", "journal.people.codes", "journal.help.calm",
    "journal.scans.expectations", "journal.guidance.concern", "journal.care.hours",
    "journal.reminders.schedule", "journal.reminders.choices", "journal.reminders.feed",
)
WEB_OR_DATABASE = ("flask", "werkzeug", "jinja2", "jinja2_fragments", "flask_wtf", "sqlite3",
                   "sqlite_utils")
# Imports that still run up the wings, each for a reason; a new one has to be added here.
UPWARD = {
    # An entry shows whether its care team has seen it (the review rule is triage's).
    ("journal.diary.entries", "journal.care.triage"),
    # Sharing an entry or a question is the care team's consent rule, applied where the
    # entry and the question live.
    ("journal.diary.views", "journal.care.sharing"),
    ("journal.scans.views", "journal.care.sharing"),
    # The help panel and the day's prompt follow the patient's current scan.
    ("journal.guidance.loading", "journal.scans.records"),
    # Packs are written per scan stage.
    ("journal.guidance.packs", "journal.scans.stages"),
    # A pack's results-timing lines are read into the told-or-usual rule that words them.
    ("journal.guidance.packs", "journal.scans.expectations"),
    # The About page lists the content packs and their sources.
    ("journal.help.views", "journal.guidance.loading"),
    ("journal.help.views", "journal.guidance.packs"),
    # The data export names topics as the check-in form does.
    ("journal.accounts.data_rights", "journal.diary.validation"),
    # Staff accounts are made in, and moved between, care teams.
    ("journal.accounts.admin", "journal.care.teams"),
    ("journal.accounts.staff", "journal.care.teams"),
    # The appointment summary is shared with the patient's care team.
    ("journal.trends.views", "journal.care.teams"),
}


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name):
    """(imported module, inside a function?) for every import in a module of the package."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
    in_function = {id(n) for f in functions for n in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in in_function) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((full if full in MODULES else base, id(node) in in_function))
    return found


def inner(name):
    """Modules of the package this module imports."""
    return {target for target, _ in imports_of(name) if target in MODULES and target != name}


def wing_of(name):
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in WINGS) else None


def test_there_is_no_import_circle():
    graph = {name: {t for t in inner(name) if not t.startswith(name + ".")} for name in MODULES}
    seen, on_path, circles = set(), [], []

    def visit(node):
        if node in on_path:
            circles.append(on_path[on_path.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        on_path.append(node)
        for target in sorted(graph[node]):
            visit(target)
        on_path.pop()

    for name in sorted(graph):
        visit(name)
    assert circles == []


def test_no_module_of_the_package_is_imported_inside_a_function():
    """Such imports hide circles; third-party ones loaded on first use are fine."""
    late = [(name, target) for name in MODULES for target, in_function in imports_of(name)
            if in_function and target.startswith("journal")]
    assert late == []


def test_platform_imports_no_wing():
    upward = [(name, target) for name in MODULES if wing_of(name) == "platform"
              for target in inner(name) if wing_of(target) not in (None, "platform")]
    assert upward == []


def test_imports_run_down_the_wings_except_the_listed_few():
    upward = set()
    for name in MODULES:
        for target in inner(name):
            here, there = wing_of(name), wing_of(target)
            if here and there and WINGS.index(there) < WINGS.index(here):
                upward.add((name, target))
    assert upward == UPWARD


@pytest.mark.parametrize("name", PURE)
def test_pure_module_uses_neither_flask_nor_the_database(name):
    reached, todo = set(), [name]
    while todo:  # what it imports, and what those import, within the package
        current = todo.pop()
        if current in reached:
            continue
        reached.add(current)
        todo += [t for t in inner(current) if t in MODULES]
    outside = {target.split(".")[0] for module in reached for target, _ in imports_of(module)}
    assert outside.isdisjoint(WEB_OR_DATABASE), (name, sorted(reached))


@pytest.mark.parametrize("wing", [w for w in WINGS if w != "guidance"])
def test_a_wing_blueprint_package_and_template_folder_share_one_name(app, wing):
    assert app.blueprints[wing].import_name == f"journal.{wing}"
    assert (ROOT / "templates" / wing).is_dir()
    own = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()
           if rule.endpoint != "static"}
    assert own <= set(WINGS)


def test_every_entries_route_lives_in_the_diary_wing(app):
    wings = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/entries/")}
    assert wings == {"diary"}
