#!/usr/bin/python3
# tests/i18n/test-i18n-cli.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Spindle speaks Chinese outside its window too: `spindle --help` and a
# usage error (the application's text domain), a refused thread budget
# (libspindle-1's domain), and the merged desktop file and metainfo.
# Runs the built program with LANG=C.UTF-8 (the one UTF-8 locale every
# Debian system has) and LANGUAGE=zh_CN or zh_TW. Expected words are
# written here, so that a missing translation fails. Prints TAP.
# spindlectl's help is checked too, and that it wraps at 78 terminal
# columns, a Chinese character taking two.
# Usage: test-i18n-cli.py SPINDLE DESKTOP_FILE METAINFO_FILE SPINDLECTL

import os
import subprocess
import sys
import unicodedata

SPINDLE, DESKTOP, METAINFO, SPINDLECTL = sys.argv[1:5]
HELP_WIDTH = 78

EXPECTED = {
    "zh_CN": {
        "help": "以演示集启动：每种类型各一个工作线程",
        "usage": "未知的工作线程类型“nosuchkind”",
        "budget": "无法启动 5 个工作线程：本系统只允许 3 个",
        "desktop": "Comment[zh_CN]=监视、停止和取消线程",
        "metainfo": '<summary xml:lang="zh_CN">监视、停止和取消线程</summary>',
        "ctl-help": "列出并控制程序的工作线程",
    },
    "zh_TW": {
        "help": "以示範集啟動：每種類型各一個工作執行緒",
        "usage": "未知的工作執行緒類型「nosuchkind」",
        "budget": "無法啟動 5 個工作執行緒：本系統只允許 3 個",
        "desktop": "Comment[zh_TW]=監視、停止和取消執行緒",
        "metainfo": '<summary xml:lang="zh_TW">監視、停止和取消執行緒</summary>',
        "ctl-help": "列出並控制程式的工作執行緒",
    },
}


def run(language, *args, program=SPINDLE, **extra_env):
    env = dict(os.environ, LANG="C.UTF-8", LANGUAGE=language, **extra_env)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    done = subprocess.run([program, *args], env=env, capture_output=True,
                          text=True, timeout=60)
    return done.stdout + done.stderr


def columns(line):
    """Terminal columns of a line: two for wide and fullwidth characters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in line)


def ctl_help_translated_and_wrapped(language):
    text = run(language, "--help", program=SPINDLECTL)
    too_wide = ["line %d is %d columns wide" % (number, columns(line))
                for number, line in enumerate(text.splitlines(), start=1)
                if columns(line) > HELP_WIDTH]
    # only the numbers, so that the expected words are not found in them
    return "ctl-help", "\n".join(too_wide) if too_wide else text


def help_translated(language):
    return "help", run(language, "--help")


def usage_error_translated(language):
    return "usage", run(language, "--workers", "nosuchkind=1")


def library_message_translated(language):
    return "budget", run(language, "--workers", "sleeper=5", SPINDLE_THREAD_BUDGET="3")


def desktop_file_translated(language):
    with open(DESKTOP, encoding="utf-8") as f:
        return "desktop", f.read()


def metainfo_translated(language):
    with open(METAINFO, encoding="utf-8") as f:
        return "metainfo", f.read()


CASES = [help_translated, usage_error_translated, library_message_translated,
         desktop_file_translated, metainfo_translated, ctl_help_translated_and_wrapped]


def main():
    print(f"1..{len(CASES) * len(EXPECTED)}", flush=True)
    number = failed = 0
    for language in EXPECTED:
        for case in CASES:
            number += 1
            try:
                key, text = case(language)
                good = EXPECTED[language][key] in text
                if not good:
                    print(f"# “{EXPECTED[language][key]}” is not in:")
                    print("".join(f"#   {line}\n" for line in text.splitlines()[:12]), end="")
            except Exception as error:  # one broken case does not stop the rest
                print(f"# {type(error).__name__}: {error}")
                good = False
            failed += not good
            print(f"{'' if good else 'not '}ok {number} /i18n/{language}/{case.__name__}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
