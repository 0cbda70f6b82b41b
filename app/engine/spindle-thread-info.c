/* spindle-thread-info.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spindle-thread-info-private.h"

struct _SpindleThreadInfo
{
  GObject  parent_instance;

  int      tid;
  char    *name;
  char     kernel_state[2];
  gint64   cpu_time;      /* ns */
  gint64   sampled_at;    /* µs */
  double   cpu_percent;
};

enum {
  PROP_0,
  PROP_TID,
  PROP_NAME,
  PROP_CPU_PERCENT,
  PROP_KERNEL_STATE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpindleThreadInfo, spindle_thread_info, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

SpindleThreadInfo *
_spindle_thread_info_new (int tid)
{
  SpindleThreadInfo *self = g_object_new (SPINDLE_TYPE_THREAD_INFO, NULL);

  self->tid = tid;

  return self;
}

void
_spindle_thread_info_update (SpindleThreadInfo *self,
                             const char        *name,
                             char               kernel_state,
                             gint64             cpu_time,
                             gint64             at)
{
  double percent = self->cpu_percent;

  if (self->sampled_at != 0 && at > self->sampled_at)
    percent = MAX (0.0, (cpu_time - self->cpu_time) / 10.0 / (at - self->sampled_at));
  self->cpu_time = cpu_time;
  self->sampled_at = at;

  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }

  if (self->kernel_state[0] != kernel_state)
    {
      self->kernel_state[0] = kernel_state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KERNEL_STATE]);
    }

  if (self->cpu_percent != percent)
    {
      self->cpu_percent = percent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_PERCENT]);
    }
}

static void
spindle_thread_info_finalize (GObject *object)
{
  SpindleThreadInfo *self = (SpindleThreadInfo *) object;

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (spindle_thread_info_parent_class)->finalize (object);
}

static void
spindle_thread_info_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SpindleThreadInfo *self = SPINDLE_THREAD_INFO (object);

  switch (prop_id)
    {
    case PROP_TID:          g_value_set_int (value, self->tid); break;
    case PROP_NAME:         g_value_set_string (value, self->name); break;
    case PROP_CPU_PERCENT:  g_value_set_double (value, self->cpu_percent); break;
    case PROP_KERNEL_STATE: g_value_set_string (value, spindle_thread_info_get_kernel_state (self)); break;
    default:                G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_thread_info_class_init (SpindleThreadInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = spindle_thread_info_finalize;
  object_class->get_property = spindle_thread_info_get_property;

  /**
   * SpindleThreadInfo:tid:
   *
   * The thread's kernel id.
   */
  properties[PROP_TID] = g_param_spec_int ("tid", NULL, NULL, 0, G_MAXINT, 0, ro);
  /**
   * SpindleThreadInfo:name:
   *
   * The thread's name.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  /**
   * SpindleThreadInfo:cpu-percent:
   *
   * Share of one CPU the thread used between the last two ticks.
   */
  properties[PROP_CPU_PERCENT] = g_param_spec_double ("cpu-percent", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, ro);
  /**
   * SpindleThreadInfo:kernel-state:
   *
   * The kernel's state letter for the thread.
   */
  properties[PROP_KERNEL_STATE] = g_param_spec_string ("kernel-state", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spindle_thread_info_init (SpindleThreadInfo *self)
{
}

/**
 * spindle_thread_info_get_tid:
 * @info: a thread
 *
 * The thread's kernel id.
 *
 * Returns: the thread id
 */
int
spindle_thread_info_get_tid (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), 0);
  return self->tid;
}

/**
 * spindle_thread_info_get_name:
 * @info: a thread
 *
 * The thread's name (its comm).
 *
 * Returns: (transfer none): the name
 */
const char *
spindle_thread_info_get_name (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), NULL);
  return self->name;
}

/**
 * spindle_thread_info_get_cpu_percent:
 * @info: a thread
 *
 * Share of one CPU the thread used between the last two ticks.
 *
 * Returns: a percentage
 */
double
spindle_thread_info_get_cpu_percent (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), 0.0);
  return self->cpu_percent;
}

/**
 * spindle_thread_info_get_kernel_state:
 * @info: a thread
 *
 * The thread's state letter as the kernel reported it.
 *
 * Returns: (transfer none) (nullable): the state
 */
const char *
spindle_thread_info_get_kernel_state (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), NULL);
  return self->kernel_state[0] != 0 ? self->kernel_state : NULL;
}

/* /proc/self/task/<tid>/ ****************************************************/

gboolean
_spindle_task_read_file (int         tid,
                         const char *name,
                         char       *buf,
                         gsize       size)
{
  char path[64];
  gssize n;
  int fd;

  g_snprintf (path, sizeof path, "/proc/self/task/%d/%s", tid, name);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n < 0)
    return FALSE;

  buf[n] = '\0';
  g_strchomp (buf);
  return TRUE;
}

/* "tid (comm) S …": the name may hold spaces and parentheses. */
char
_spindle_task_parse_state (const char *stat)
{
  const char *end = strrchr (stat, ')');

  return end != NULL && end[1] == ' ' ? end[2] : 0;
}

#define CALL(name) { SYS_##name, #name }

/* The calls a thread blocks in, by their number on this architecture. */
static const struct { long nr; const char *name; } calls[] = {
  CALL (read), CALL (readv), CALL (pread64), CALL (preadv), CALL (preadv2),
  CALL (write), CALL (writev), CALL (pwrite64), CALL (pwritev), CALL (pwritev2),
  CALL (openat), CALL (close), CALL (ioctl), CALL (fcntl), CALL (flock),
  CALL (fsync), CALL (fdatasync), CALL (sync_file_range), CALL (fallocate),
  CALL (splice), CALL (tee), CALL (sendfile), CALL (copy_file_range),
  CALL (ppoll), CALL (pselect6), CALL (epoll_pwait), CALL (epoll_pwait2),
  CALL (nanosleep), CALL (clock_nanosleep),
  CALL (accept), CALL (accept4), CALL (connect),
  CALL (recvfrom), CALL (recvmsg), CALL (recvmmsg), CALL (sendto), CALL (sendmsg), CALL (sendmmsg),
  CALL (wait4), CALL (waitid),
  CALL (futex), CALL (futex_waitv),
  CALL (msgrcv), CALL (msgsnd), CALL (semop), CALL (semtimedop),
  CALL (mq_timedreceive), CALL (mq_timedsend),
  CALL (rt_sigsuspend), CALL (rt_sigtimedwait),
  CALL (io_getevents), CALL (io_pgetevents), CALL (io_uring_enter),
  CALL (getrandom), CALL (sched_yield),
#ifdef SYS_poll
  /* older calls that newer architectures left out */
  CALL (poll), CALL (select), CALL (epoll_wait), CALL (open), CALL (pause),
#endif
};

#undef CALL

/**
 * _spindle_task_syscall_name:
 *
 * Returns: (nullable): the name of system call @nr, as strace spells it
 */
const char *
_spindle_task_syscall_name (long nr)
{
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    if (calls[i].nr == nr)
      return calls[i].name;

  return NULL;
}

/* The syscall file: "running", "-1 sp pc" (no call), or the call's number,
 * its six arguments, the stack pointer and the user-space address.
 */
static void
parse_syscall (const char         *text,
               SpindleTaskDetails *details)
{
  g_auto(GStrv) fields = g_strsplit (text, " ", -1);
  guint n = g_strv_length (fields);
  const char *name;

  if (g_str_has_prefix (text, "running"))
    {
      g_strlcpy (details->syscall, "running", sizeof details->syscall);
      return;
    }

  if (n < 1 || (details->syscall_nr = strtol (fields[0], NULL, 10)) < 0)
    {
      details->syscall_nr = -1;
      return;
    }

  for (guint i = 0; i < 6 && i + 1 < n; i++)
    details->args[i] = g_ascii_strtoull (fields[i + 1], NULL, 16);
  if (n == 9)
    details->pc = g_ascii_strtoull (fields[8], NULL, 16);

  if ((name = _spindle_task_syscall_name (details->syscall_nr)) != NULL)
    g_strlcpy (details->syscall, name, sizeof details->syscall);
  else
    g_snprintf (details->syscall, sizeof details->syscall, "syscall %ld", details->syscall_nr);
}

/* Three reads of a thread's task files: what the kernel says it does now. */
void
_spindle_task_read_details (int                 tid,
                            SpindleTaskDetails *details)
{
  char stat[512], raw[256];

  memset (details, 0, sizeof *details);
  details->syscall_nr = -1;

  if (_spindle_task_read_file (tid, "stat", stat, sizeof stat))
    details->kernel_state = _spindle_task_parse_state (stat);

  if (!_spindle_task_read_file (tid, "wchan", details->wait_channel, sizeof details->wait_channel) ||
      g_str_equal (details->wait_channel, "0"))
    details->wait_channel[0] = '\0';

  if (_spindle_task_read_file (tid, "syscall", raw, sizeof raw))
    parse_syscall (raw, details);
}
