/* test-wait.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spindle-test-util.h"

/* spindle_job_wait_fd() says ready only when the call it guards can go on:
 * a closed fd, an error or a hang-up on a wait to write are errors.
 */

typedef struct
{
  int           fd;
  GIOCondition  condition;
  gboolean      ready;
  GError       *error;
} FdWait;

static GVariant *
wait_fd_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  FdWait *wait = data;

  /* the guard only bounds a wait that wrongly blocks */
  wait->ready = spindle_job_wait_fd (job, wait->fd, wait->condition,
                                     SPINDLE_TEST_GUARD_MS * (gint64) 1000, &wait->error);
  return NULL;
}

static void
run_wait (FdWait *wait)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker = spindle_test_spawn (set, "wait-fd", wait_fd_body, wait);

  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
}

static void
assert_error (FdWait *wait,
              int     code)
{
  g_assert_false (wait->ready);
  g_assert_error (wait->error, G_IO_ERROR, code);
  g_clear_error (&wait->error);
}

static void
assert_ready (FdWait *wait)
{
  g_assert_no_error (wait->error);
  g_assert_true (wait->ready);
}

/* A number no one else opens meanwhile: fds are handed out lowest first. */
static int
closed_fd (void)
{
  int fd = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 900);

  g_assert_cmpint (fd, >=, 900);
  close (fd);

  return fd;
}

static void
test_closed_fd (void)
{
  FdWait wait = { closed_fd (), G_IO_IN };

  run_wait (&wait);
  assert_error (&wait, G_IO_ERROR_INVALID_ARGUMENT);

  wait = (FdWait) { closed_fd (), G_IO_OUT | G_IO_ERR | G_IO_HUP };
  run_wait (&wait);
  assert_error (&wait, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_ready (void)
{
  int fds[2];
  FdWait wait;

  spindle_test_pipe (fds);
  spindle_test_pipe_poke (fds[1]);

  wait = (FdWait) { fds[0], G_IO_IN };
  run_wait (&wait);
  assert_ready (&wait);

  wait = (FdWait) { fds[1], G_IO_OUT };
  run_wait (&wait);
  assert_ready (&wait);

  spindle_test_close_pipe (fds);
}

/* The writer is gone: read() returns 0 at once, which a reader must see. */
static void
test_hangup_is_end_of_file (void)
{
  int fds[2];
  FdWait wait;
  char byte;

  spindle_test_pipe (fds);
  close (fds[1]);
  fds[1] = -1;

  wait = (FdWait) { fds[0], G_IO_IN };
  run_wait (&wait);
  assert_ready (&wait);
  g_assert_cmpint (read (fds[0], &byte, 1), ==, 0);

  spindle_test_close_pipe (fds);
}

/* The reader is gone: a write would fail with EPIPE (and raise SIGPIPE). */
static void
test_broken_pipe (void)
{
  int fds[2];
  FdWait wait;

  spindle_test_pipe (fds);
  close (fds[0]);
  fds[0] = -1;

  wait = (FdWait) { fds[1], G_IO_OUT };
  run_wait (&wait);
  assert_error (&wait, G_IO_ERROR_BROKEN_PIPE);

  /* asked for: the caller handles it */
  wait = (FdWait) { fds[1], G_IO_OUT | G_IO_ERR };
  run_wait (&wait);
  assert_ready (&wait);

  spindle_test_close_pipe (fds);
}

/* A port that was just free on the loopback: nobody listens there. */
static struct sockaddr_in
unused_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);

  return addr;
}

/* A refused non-blocking connect polls as POLLOUT | POLLERR: the wait
 * hands back the socket's error, as g_socket_check_connect_result() would.
 */
static void
test_refused_connect (void)
{
  struct sockaddr_in addr = unused_port ();
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  FdWait wait = { fd, G_IO_OUT };
  int status;

  g_assert_cmpint (fd, >=, 0);
  status = connect (fd, (struct sockaddr *) &addr, sizeof addr);
  g_assert_true (status == 0 || errno == EINPROGRESS || errno == ECONNREFUSED);

  run_wait (&wait);
  assert_error (&wait, G_IO_ERROR_CONNECTION_REFUSED);

  close (fd);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/wait/closed-fd", test_closed_fd);
  g_test_add_func ("/engine/wait/ready", test_ready);
  g_test_add_func ("/engine/wait/hangup-is-end-of-file", test_hangup_is_end_of_file);
  g_test_add_func ("/engine/wait/broken-pipe", test_broken_pipe);
  g_test_add_func ("/engine/wait/refused-connect", test_refused_connect);

  return g_test_run ();
}
