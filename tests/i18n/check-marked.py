#!/usr/bin/python3
# tests/i18n/check-marked.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a string meant for people is not marked for translation:
#  - in .ui files, a text property (label, title, tooltip-text…) or menu
#    attribute without translatable="yes";
#  - in C, a string literal passed straight to a call that shows text or
#    makes an error message (gtk_label_set_text, g_set_error, …) outside
#    _(), N_(), C_() or a plural call.
# Also fails when a file with marked strings is missing from POTFILES.in.
# Usage: check-marked.py SOURCE_ROOT. Prints TAP.

import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")

UI_PROPERTIES = {
    "label", "title", "subtitle", "tooltip-text", "tooltip-markup",
    "placeholder-text", "text", "secondary-text", "description",
    "heading", "body", "comments", "accessible-name",
}

# Calls whose string arguments reach people (the window, the terminal,
# error messages, cleanup reports, phases shown in the window).
SHOWN_BY = {
    "gtk_label_new", "gtk_label_new_with_mnemonic", "gtk_label_set_text",
    "gtk_label_set_label", "gtk_label_set_markup", "gtk_label_set_text_with_mnemonic",
    "gtk_button_new_with_label", "gtk_button_new_with_mnemonic", "gtk_button_set_label",
    "gtk_check_button_new_with_label", "gtk_check_button_set_label",
    "gtk_window_set_title", "gtk_widget_set_tooltip_text", "gtk_widget_set_tooltip_markup",
    "gtk_entry_set_placeholder_text", "gtk_search_entry_set_placeholder_text",
    "gtk_editable_set_text", "gtk_column_view_column_new", "gtk_column_view_column_set_title",
    "g_menu_append", "g_menu_append_submenu", "g_menu_append_section", "g_menu_item_new",
    "g_menu_item_new_submenu", "g_menu_item_new_section", "g_menu_prepend",
    "gtk_message_dialog_new", "gtk_message_dialog_format_secondary_text",
    "gtk_message_dialog_format_secondary_markup", "gtk_dialog_add_button",
    "gtk_string_list_append", "gtk_accessible_update_property",
    "gtk_accessible_update_relation", "gtk_tooltip_set_text", "gtk_tooltip_set_markup",
    "gtk_stack_page_set_title", "gtk_stack_add_titled",
    "g_set_error", "g_set_error_literal", "g_error_new", "g_error_new_literal",
    "g_prefix_error", "g_task_return_new_error", "g_printerr", "g_print",
    "g_option_context_new", "g_option_context_set_summary",
    "g_option_context_set_description", "g_application_add_main_option",
    "g_notification_new", "g_notification_set_body",
    "spindle_job_set_phase", "spindle_job_push_cleanup", "spindle_job_push_cleanup_full",
    "spindle_event_log_add", "set_phasef", "_spindle_job_add_step", "record_step",
    "_spindle_job_set_waiting_for",
}

MARKERS = {"_", "N_", "C_", "NC_", "Q_", "gettext", "dgettext", "ngettext",
           "dngettext", "g_dgettext", "g_dngettext", "g_dpgettext2", "g_dcgettext",
           "pgettext", "_spindle_gettext"}

# Strings that reach people but are no words to translate: (file, text).
ALLOWED = {
    ("ui/spindle-window.ui", "Spindle"),      # the name, in the header bar and the empty page
}

# A marked string continued by G_GUINT64_FORMAT and the like.
GLIB_FORMAT = re.compile(r"\s*G_G?[A-Z0-9]+_FORMAT\b")

# An action name given to g_menu_append() beside its label.
ACTION_NAME = re.compile(r'"[a-z]+\.[a-z-]+(?:\(.*\))?"')

TOKEN = re.compile(r'''
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<pre>^[ \t]*\#[^\n]*(?:\\\n[^\n]*)*)
''', re.VERBOSE | re.DOTALL | re.MULTILINE)

WORDS = re.compile(r"%[-+ #0-9.*]*(?:l|ll|h|z|j|t)?[a-zA-Z]|\\[ntr\\\"]|\"\s*G_[A-Z0-9_]+\s*\"")


def has_words(literal):
    text = WORDS.sub("", literal[1:-1])
    return re.search(r"[A-Za-z]{2,}", text) is not None


def check_c(path, problems):
    source = path.read_text(encoding="utf-8")
    relative = str(path.relative_to(ROOT))
    calls = []          # names of the calls we are inside, innermost last
    previous = None
    for match in TOKEN.finditer(source):
        kind = match.lastgroup
        if kind in ("comment", "pre", "char"):
            continue
        if kind == "ident":
            previous = match.group()
            continue
        if kind == "open":
            calls.append(previous or "")
        elif kind == "close":
            if calls:
                calls.pop()
        elif kind == "string" and calls:
            literal = match.group()
            marked = any(name in MARKERS for name in calls)
            if marked and GLIB_FORMAT.match(source, match.end()):
                line = source.count("\n", 0, match.start()) + 1
                problems.append(f"{relative}:{line}: {literal} is cut by a G_*_FORMAT macro, "
                                "which xgettext cannot see through: use %llu/%lld and a cast")
            if (calls[-1] in SHOWN_BY and not marked and has_words(literal)
                    and not ACTION_NAME.fullmatch(literal)):
                line = source.count("\n", 0, match.start()) + 1
                problems.append(f"{relative}:{line}: {literal} passed to {calls[-1]}() unmarked")
        previous = None


def check_ui(path, problems):
    relative = str(path.relative_to(ROOT))
    tree = ET.parse(path)
    # Without its own domain a template is translated in the domain of the
    # program that loads it: the panel embedded in another program, or the
    # window under that program's textdomain, would speak English.
    if (any(e.get("translatable") == "yes" for e in tree.iter())
            and tree.getroot().get("domain") != "spindle"):
        problems.append(f"{relative}: <interface> has translatable strings but no domain=\"spindle\"")
    for element in tree.iter():
        if element.tag not in ("property", "attribute", "item"):
            continue
        name = element.get("name", "")
        text = (element.text or "").strip()
        if element.tag != "item" and name not in UI_PROPERTIES:
            continue
        if element.tag == "item" and re.fullmatch(r"[A-Z0-9_]+", text):
            continue        # a list of names such as SIGTERM, not words
        if not re.search(r"[A-Za-z]{2,}", text) or element.get("translatable") == "yes":
            continue
        if element.find("*") is not None:   # a <lookup>/<closure>, not text
            continue
        if (relative, text) in ALLOWED:
            continue
        problems.append(f"{relative}: <{element.tag} name=\"{name}\">{text}</…> not translatable")


def tracked_files():
    """What git tracks, when the sources are a git work tree: POTFILES.in
    can only name those; None elsewhere (a tarball), where all count."""
    try:
        listing = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True,
                                 check=True).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        return None
    return set(listing.split("\0")) - {""}


TRACKED = tracked_files()


def check_potfiles(problems):
    listed = set()
    for pot in ("po/POTFILES.in", "po-libspindle/POTFILES.in"):
        for line in (ROOT / pot).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                listed.add(line.strip())
                if not (ROOT / line.strip()).exists():
                    problems.append(f"{pot}: {line.strip()} does not exist")
    marked = re.compile(r'\b(?:N?_|C_|NC_|ngettext|g_dngettext)\s*\(|translatable="yes"')
    for pattern in ("app/*.c", "app/ctl/*.c", "app/engine/*.c", "ui/*.c", "ui/*.ui", "ui/*/*.ui"):
        for path in sorted(ROOT.glob(pattern)):
            relative = str(path.relative_to(ROOT))
            if TRACKED is not None and relative not in TRACKED:
                continue        # a file not yet committed cannot be listed yet
            if relative not in listed and marked.search(path.read_text(encoding="utf-8")):
                problems.append(f"{relative} has marked strings but is not in a POTFILES.in")


def main():
    tests = [
        ("c-strings-marked", lambda p: [check_c(f, p) for pattern in ("app/*.c", "app/ctl/*.c", "app/engine/*.c", "ui/*.c")
                                        for f in sorted(ROOT.glob(pattern))]),
        ("ui-strings-marked", lambda p: [check_ui(f, p) for pattern in ("ui/*.ui", "ui/*/*.ui")
                                         for f in sorted(ROOT.glob(pattern))]),
        ("potfiles-complete", check_potfiles),
    ]
    print(f"1..{len(tests)}")
    failed = 0
    for number, (name, run) in enumerate(tests, start=1):
        problems = []
        run(problems)
        for problem in problems:
            print(f"# {problem}")
        if problems:
            failed += 1
        print(f"{'not ' if problems else ''}ok {number} /i18n/{name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
