#!/usr/bin/python3
# tests/library/check-registered.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every public type of the library is registered with GObject (a class, a
# boxed type, an enum or flags), so that a binding can hold it: fails on a
# record of Spindle-1.gir that has no GType, unless it is a class struct
# or kept from bindings (introspectable="0").
# Usage: check-registered.py GIR. Prints TAP.
import sys
import xml.etree.ElementTree as ET

CORE = "{http://www.gtk.org/introspection/core/1.0}"
GLIB = "{http://www.gtk.org/introspection/glib/1.0}"

root = ET.parse(sys.argv[1]).getroot()
records = [r for r in root.iter(CORE + "record")
           if r.get(GLIB + "is-gtype-struct-for") is None and r.get("introspectable") != "0"]
print(f"1..{len(records)}")
failed = 0
for number, record in enumerate(records, 1):
    name = record.get("name")
    if record.get(GLIB + "get-type"):
        print(f"ok {number} /library/registered/{name}")
    else:
        print(f"# Spindle.{name} has no GType: register it as a boxed type")
        print(f"not ok {number} /library/registered/{name}")
        failed = 1
sys.exit(failed)
