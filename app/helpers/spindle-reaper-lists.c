/* spindle-reaper-lists.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spindle-reaper-private.h"

/* The reaper's lists: pids in a growing array, and the processes it
 * signalled, by pid, with their names.
 */

void *
xrealloc (void   *data,
          size_t  size)
{
  void *grown = realloc (data, size);

  if (grown == NULL)
    {
      fprintf (stderr, "spindle-reaper: out of memory\n");
      abort ();
    }
  return grown;
}

void
pid_list_add (PidList *list,
              pid_t    pid)
{
  if (list->len == list->size)
    {
      list->size = list->size > 0 ? list->size * 2 : 16;
      list->pids = xrealloc (list->pids, list->size * sizeof *list->pids);
    }
  list->pids[list->len++] = pid;
}

static size_t
known_slot (const KnownTable *table,
            pid_t             pid)
{
  size_t mask = table->size - 1;
  size_t i = ((size_t) pid * 2654435761u) & mask;

  while (table->slots[i].pid != 0 && table->slots[i].pid != pid)
    i = (i + 1) & mask;
  return i;
}

Known *
known_lookup (const KnownTable *table,
              pid_t             pid)
{
  size_t i;

  if (table->size == 0)
    return NULL;
  i = known_slot (table, pid);
  return table->slots[i].pid == pid ? &table->slots[i] : NULL;
}

static void
known_grow (KnownTable *table)
{
  KnownTable bigger = { NULL, table->size > 0 ? table->size * 2 : 64, 0 };

  bigger.slots = xrealloc (NULL, bigger.size * sizeof *bigger.slots);
  memset (bigger.slots, 0, bigger.size * sizeof *bigger.slots);
  for (size_t i = 0; i < table->size; i++)
    if (table->slots[i].pid != 0)
      {
        bigger.slots[known_slot (&bigger, table->slots[i].pid)] = table->slots[i];
        bigger.len++;
      }

  free (table->slots);
  *table = bigger;
}

Known *
known_add (KnownTable *table,
           pid_t       pid)
{
  size_t i;

  if ((table->len + 1) * 2 > table->size)
    known_grow (table);

  i = known_slot (table, pid);
  if (table->slots[i].pid == 0)
    {
      table->slots[i].pid = pid;
      table->slots[i].comm[0] = '\0';
      table->len++;
    }
  return &table->slots[i];
}

/* Backward-shift deletion: no tombstones, so lookups stay short. */
void
known_remove (KnownTable *table,
              pid_t       pid)
{
  size_t mask = table->size - 1;
  size_t hole, i;

  if (known_lookup (table, pid) == NULL)
    return;

  hole = known_slot (table, pid);
  table->slots[hole].pid = 0;
  table->len--;

  for (i = (hole + 1) & mask; table->slots[i].pid != 0; i = (i + 1) & mask)
    {
      size_t home = ((size_t) table->slots[i].pid * 2654435761u) & mask;

      /* the entry may move into the hole if its home is not in (hole, i] */
      if (((i - home) & mask) >= ((i - hole) & mask))
        {
          table->slots[hole] = table->slots[i];
          table->slots[i].pid = 0;
          hole = i;
        }
    }
}
