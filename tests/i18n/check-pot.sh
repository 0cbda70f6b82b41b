#!/bin/sh
# tests/i18n/check-pot.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The catalogues are current: the template is made again from the sources
# (xgettext with meson's glib preset, into the build directory) and every
# message it holds must be in each language's catalogue. A string marked
# since the catalogues were last updated fails here, with its name.
# Usage: check-pot.sh SOURCE_ROOT BUILD_DIR PO_DIR DOMAIN. Prints TAP.
set -u

root=$1 build=$2 podir=$3 domain=$4
pot="$build/$domain-current.pot"

# the arguments of meson's i18n.gettext(preset: 'glib')
if ! xgettext --package-name="$domain" -p "$build" -f "$root/$podir/POTFILES.in" -D "$root" -k_ \
     -o "$(basename "$pot")" --from-code=UTF-8 --add-comments \
     --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
     --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
     --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
     --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
     --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
     --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
     --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
     --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
     --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
     --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format 2> "$build/$domain-xgettext.log"; then
  echo "1..1"
  sed 's/^/# /' "$build/$domain-xgettext.log"
  echo "not ok 1 /i18n/pot/$domain/xgettext"
  exit 1
fi

set -- "$root/$podir"/*.po
echo "1..$#"
i=0
failed=0
for po in "$@"; do
  i=$((i + 1))
  # msgcmp: every message of the template must be in the catalogue
  if ! msgcmp --use-untranslated "$po" "$pot" > "$build/$domain-msgcmp.log" 2>&1; then
    sed 's/^/# /' "$build/$domain-msgcmp.log" | head -40
    echo "# $(basename "$po") lacks messages that the sources mark: run ninja -C BUILDDIR $domain-pot $domain-update-po and translate them"
    echo "not ok $i /i18n/pot/$domain/$(basename "$po")"
    failed=1
  else
    echo "ok $i /i18n/pot/$domain/$(basename "$po")"
  fi
done
exit $failed
