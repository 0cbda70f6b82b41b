/* spindle-stack.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The helper that captures one thread's call stack.
 *
 *   spindle-stack PID TID
 *
 * A process cannot ptrace its own threads, and unwinding from a signal
 * handler would make the thread's nanosleep() or usleep() return early
 * (signal(7): sleep calls are never restarted after a handler). So the
 * host starts this helper, which pauses that one thread with
 * PTRACE_SEIZE + PTRACE_INTERRUPT (no signal is sent: a blocking call is
 * restarted by the kernel on resume, for the time it had left), unwinds it
 * with elfutils' libdwfl as eu-stack does, and lets it go.
 *
 * Before attaching it reads one line from stdin: the host writes it once
 * it has allowed this helper to trace it (PR_SET_PTRACER, for Yama).
 *
 * Output, one record per line, fields separated by tabs:
 *   frame PC MODULE FUNCTION OFFSET FILE LINE     (innermost first; "-" if unknown)
 *   paused USEC                                   (how long the thread was stopped)
 *   error KIND MESSAGE                            (KIND: permission, gone, failed)
 * Exit status: 0 with a stack, 1 with an error record, 2 on bad arguments.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>

/* Deep enough for any real stack; a runaway recursion is cut here. */
#define MAX_FRAMES 256

static const Dwfl_Callbacks callbacks = {
  .find_elf = dwfl_linux_proc_find_elf,
  .find_debuginfo = dwfl_standard_find_debuginfo,
};

static int64_t
now_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Tabs and newlines would break the record format. */
static void
print_field (const char *text)
{
  if (text == NULL || *text == '\0')
    {
      fputs ("-", stdout);
      return;
    }
  for (const char *c = text; *c != '\0'; c++)
    fputc (*c == '\t' || *c == '\n' ? ' ' : *c, stdout);
}

static int
fail (const char *kind,
      const char *message)
{
  printf ("error\t%s\t%s\n", kind, message);
  return 1;
}

/* Says why ptrace was refused and what would allow it. */
static int
fail_permission (int pid)
{
  char message[512];
  int scope = -1;
  FILE *file = fopen ("/proc/sys/kernel/yama/ptrace_scope", "r");

  if (file != NULL)
    {
      if (fscanf (file, "%d", &scope) != 1)
        scope = -1;
      fclose (file);
    }

  if (scope >= 3)
    snprintf (message, sizeof message,
              "ptrace is disabled on this system (Yama ptrace_scope is 3); "
              "only a reboot with a lower kernel.yama.ptrace_scope allows stacks");
  else if (scope == 2)
    snprintf (message, sizeof message,
              "ptrace is limited to administrators (Yama ptrace_scope is 2); "
              "run with CAP_SYS_PTRACE or set kernel.yama.ptrace_scope to 1");
  else
    snprintf (message, sizeof message,
              "not permitted to trace process %d: it belongs to another user or is "
              "not dumpable (PR_SET_DUMPABLE), or ptrace is denied here; in a container, "
              "ptrace needs the SYS_PTRACE capability and a seccomp profile that allows it",
              pid);
  return fail ("permission", message);
}

typedef struct
{
  Dwarf_Addr pcs[MAX_FRAMES];
  int        n_frames;
} Walk;

static void
print_frame (Dwfl       *dwfl,
             Dwarf_Addr  pc)
{
  Dwfl_Module *module = dwfl_addrmodule (dwfl, pc);
  const char *module_name = NULL;
  const char *function = NULL;
  const char *file = NULL;
  GElf_Off offset = 0;
  GElf_Sym sym;
  int line = 0;

  if (module != NULL)
    {
      const char *main_file = NULL;

      module_name = dwfl_module_info (module, NULL, NULL, NULL, NULL, NULL, &main_file, NULL);
      if (main_file != NULL)
        module_name = main_file;
      function = dwfl_module_addrinfo (module, pc, &offset, &sym, NULL, NULL, NULL);

      Dwfl_Line *source = dwfl_module_getsrc (module, pc);
      if (source != NULL)
        file = dwfl_lineinfo (source, NULL, &line, NULL, NULL, NULL);
    }

  printf ("frame\t0x%" PRIx64 "\t", (uint64_t) pc);
  print_field (module_name);
  fputc ('\t', stdout);
  print_field (function);
  printf ("\t%" PRIu64 "\t", (uint64_t) offset);
  print_field (file);
  printf ("\t%d\n", line);
}

/* Only the addresses are taken while the thread is paused; names and
 * lines are looked up after it runs again.
 */
static int
frame_cb (Dwfl_Frame *frame,
          void       *data)
{
  Walk *walk = data;
  Dwarf_Addr pc;
  bool is_activation;

  if (!dwfl_frame_pc (frame, &pc, &is_activation))
    return DWARF_CB_ABORT;

  /* A return address points after the call: look up the call itself. */
  walk->pcs[walk->n_frames++] = is_activation ? pc : pc - 1;
  return walk->n_frames < MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* Stops the one thread without a signal, so that its blocking call is
 * restarted afterwards rather than cut short.
 */
static int
pause_thread (int pid,
              int tid)
{
  int status;

  if (ptrace (PTRACE_SEIZE, tid, NULL, NULL) != 0)
    {
      if (errno == EPERM)
        return fail_permission (pid);
      if (errno == ESRCH)
        return fail ("gone", "the thread has ended");
      return fail ("failed", strerror (errno));
    }
  if (ptrace (PTRACE_INTERRUPT, tid, NULL, NULL) != 0 ||
      waitpid (tid, &status, __WALL) != tid)
    {
      int saved = errno;

      ptrace (PTRACE_DETACH, tid, NULL, NULL);
      return fail (saved == ESRCH || saved == ECHILD ? "gone" : "failed", strerror (saved));
    }
  if (!WIFSTOPPED (status))
    return fail ("gone", "the thread has ended");
  return 0;
}

/* The modules are reported before the thread is paused, so that the pause
 * lasts only as long as the walk of its stack.
 */
static int
capture (int pid,
         int tid)
{
  Dwfl *dwfl = dwfl_begin (&callbacks);
  Walk walk = { .n_frames = 0 };
  int64_t paused_at;
  int result;

  if (dwfl == NULL)
    return fail ("failed", dwfl_errmsg (-1));

  /* these return an errno value, or -1 with libdwfl's own error */
  result = dwfl_linux_proc_report (dwfl, pid);
  if (result == 0 && dwfl_report_end (dwfl, NULL, NULL) != 0)
    result = -1;
  if (result == 0)
    result = dwfl_linux_proc_attach (dwfl, pid, true);
  if (result != 0)
    {
      if (result == EACCES || result == EPERM)
        result = fail_permission (pid);
      else if (result == ENOENT || result == ESRCH)
        result = fail ("gone", "the process has ended");
      else
        result = fail ("failed", result > 0 ? strerror (result) : dwfl_errmsg (-1));
      dwfl_end (dwfl);
      return result;
    }

  paused_at = now_usec ();
  result = pause_thread (pid, tid);
  if (result == 0)
    {
      if (dwfl_getthread_frames (dwfl, tid, frame_cb, &walk) != 0 && walk.n_frames == 0)
        result = fail ("failed", dwfl_errmsg (-1));
      ptrace (PTRACE_DETACH, tid, NULL, NULL);
      paused_at = now_usec () - paused_at;

      for (int i = 0; i < walk.n_frames; i++)
        print_frame (dwfl, walk.pcs[i]);
      printf ("paused\t%" PRId64 "\n", paused_at);
    }

  dwfl_end (dwfl);
  return result;
}

static int
parse_id (const char *text)
{
  char *end;
  long value;

  errno = 0;
  value = strtol (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value <= 0 || value > INT32_MAX)
    return -1;
  return (int) value;
}

int
main (int   argc,
      char *argv[])
{
  char line[16];
  int pid, tid;

  if (argc != 3 || (pid = parse_id (argv[1])) < 0 || (tid = parse_id (argv[2])) < 0)
    {
      fprintf (stderr, "usage: spindle-stack PID TID\n");
      return 2;
    }

  /* Wait for the host's permission; end of file means it gave up. */
  if (fgets (line, sizeof line, stdin) == NULL)
    return fail ("failed", "the host closed the request");

  return capture (pid, tid);
}
