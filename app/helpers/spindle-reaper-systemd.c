/* spindle-reaper-systemd.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A transient scope from the systemd user manager, for one process:
 * StartTransientUnit ("spindle-….scope", PIDs, Delegate=yes) on
 * org.freedesktop.systemd1, then the wait for its job's JobRemoved. The
 * manager is reached through its private socket
 * ($XDG_RUNTIME_DIR/systemd/private, a direct connection, which is sent
 * every signal) or else through the session bus.
 *
 * The reaper links the C library only, so this is the little of the D-Bus
 * wire protocol that those two calls need: EXTERNAL authentication, the
 * marshalling of one method call, and reading replies and signals in
 * either byte order. Bounded by a deadline: a manager that does not answer
 * costs the command its scope, not its start.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "spindle-reaper-private.h"

#define SYSTEMD_NAME  "org.freedesktop.systemd1"
#define SYSTEMD_PATH  "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define BUS_NAME      "org.freedesktop.DBus"
#define BUS_PATH      "/org/freedesktop/DBus"

enum { MSG_CALL = 1, MSG_RETURN = 2, MSG_ERROR = 3, MSG_SIGNAL = 4 };
enum { FIELD_PATH = 1, FIELD_INTERFACE, FIELD_MEMBER, FIELD_ERROR_NAME,
       FIELD_REPLY_SERIAL, FIELD_DESTINATION, FIELD_SENDER, FIELD_SIGNATURE };

/* Marshalling ************************************************************************/

/* Messages follow each other on the stream with no padding between them:
 * alignment is relative to the start of each. */
typedef struct
{
  uint8_t data[2048];
  size_t  len;
  size_t  message_start;
  bool    overflow;
} Out;

static void
out_bytes (Out        *out,
           const void *bytes,
           size_t      len)
{
  if (out->len + len > sizeof out->data)
    {
      out->overflow = true;
      return;
    }
  memcpy (out->data + out->len, bytes, len);
  out->len += len;
}

static void
out_align (Out    *out,
           size_t  alignment)
{
  static const uint8_t zeros[8];

  size_t at = out->len - out->message_start;

  out_bytes (out, zeros, (alignment - at % alignment) % alignment);
}

static void
out_u8 (Out     *out,
        uint8_t  value)
{
  out_bytes (out, &value, 1);
}

/* Little-endian, as the message says in its first byte. */
static void
out_u32 (Out      *out,
         uint32_t  value)
{
  uint8_t bytes[4] = { value, value >> 8, value >> 16, value >> 24 };

  out_align (out, 4);
  out_bytes (out, bytes, 4);
}

static void
out_patch_u32 (Out      *out,
               size_t    at,
               uint32_t  value)
{
  uint8_t bytes[4] = { value, value >> 8, value >> 16, value >> 24 };

  if (at + 4 <= sizeof out->data)
    memcpy (out->data + at, bytes, 4);
}

/* 's' and 'o' */
static void
out_string (Out        *out,
            const char *text)
{
  out_u32 (out, (uint32_t) strlen (text));
  out_bytes (out, text, strlen (text) + 1);
}

static void
out_signature (Out        *out,
               const char *text)
{
  out_u8 (out, (uint8_t) strlen (text));
  out_bytes (out, text, strlen (text) + 1);
}

/* An array's length counts neither its own padding nor that before its
 * first element, which is there even when it is empty. Returns where the
 * length goes and where the elements start. */
static size_t
out_array_open (Out    *out,
                size_t  element_alignment,
                size_t *start)
{
  size_t at;

  out_u32 (out, 0);
  at = out->len - 4;
  out_align (out, element_alignment);
  *start = out->len;
  return at;
}

static void
out_array_close (Out    *out,
                 size_t  at,
                 size_t  start)
{
  out_patch_u32 (out, at, (uint32_t) (out->len - start));
}

static void
out_field (Out        *out,
           uint8_t     code,
           const char *type,
           const char *value)
{
  out_align (out, 8);
  out_u8 (out, code);
  out_signature (out, type);
  if (type[0] == 'g')
    out_signature (out, value);
  else
    out_string (out, value);
}

typedef struct
{
  const char *destination;     /* NULL on a direct connection */
  const char *path;
  const char *interface;
  const char *member;
  const char *signature;       /* NULL: no body */
} Call;

/* The header of a call; the body follows at once. Returns where the body
 * length goes. */
static size_t
out_call_header (Out        *out,
                 uint32_t    serial,
                 const Call *call)
{
  size_t body_len_at, fields_at, fields_start;

  out->message_start = out->len;
  out_u8 (out, 'l');
  out_u8 (out, MSG_CALL);
  out_u8 (out, 0);
  out_u8 (out, 1);
  out_u32 (out, 0);
  body_len_at = out->len - 4;
  out_u32 (out, serial);

  fields_at = out_array_open (out, 8, &fields_start);
  out_field (out, FIELD_PATH, "o", call->path);
  out_field (out, FIELD_INTERFACE, "s", call->interface);
  out_field (out, FIELD_MEMBER, "s", call->member);
  if (call->destination != NULL)
    out_field (out, FIELD_DESTINATION, "s", call->destination);
  if (call->signature != NULL)
    out_field (out, FIELD_SIGNATURE, "g", call->signature);
  out_array_close (out, fields_at, fields_start);
  out_align (out, 8);

  return body_len_at;
}

static void
out_call_end (Out    *out,
              size_t  body_len_at,
              size_t  body_start)
{
  out_patch_u32 (out, body_len_at, (uint32_t) (out->len - body_start));
}

/* A call whose body is one string, or none. */
static void
out_simple_call (Out        *out,
                 uint32_t    serial,
                 const Call *call,
                 const char *argument)
{
  size_t body_len_at = out_call_header (out, serial, call);
  size_t body_start = out->len;

  if (argument != NULL)
    out_string (out, argument);
  out_call_end (out, body_len_at, body_start);
}

/* One (sv) of the properties: the variant's value written by the caller. */
static void
out_property (Out        *out,
              const char *name,
              const char *type)
{
  out_align (out, 8);
  out_string (out, name);
  out_signature (out, type);
}

/* StartTransientUnit (s name, s mode, a(sv) properties, a(sa(sv)) aux) */
static void
out_start_transient_unit (Out        *out,
                          uint32_t    serial,
                          const Call *call,
                          const char *unit,
                          pid_t       pid)
{
  size_t body_len_at = out_call_header (out, serial, call);
  size_t body_start = out->len;
  size_t props_at, props_start, pids_at, pids_start, aux_at, aux_start;

  out_string (out, unit);
  out_string (out, "fail");

  props_at = out_array_open (out, 8, &props_start);
  out_property (out, "Description", "s");
  out_string (out, "Spindle process worker");
  out_property (out, "PIDs", "au");
  pids_at = out_array_open (out, 4, &pids_start);
  out_u32 (out, (uint32_t) pid);
  out_array_close (out, pids_at, pids_start);
  out_property (out, "Delegate", "b");
  out_u32 (out, 1);
  out_property (out, "CollectMode", "s");
  out_string (out, "inactive-or-failed");
  out_array_close (out, props_at, props_start);

  aux_at = out_array_open (out, 8, &aux_start);
  out_array_close (out, aux_at, aux_start);

  out_call_end (out, body_len_at, body_start);
}

/* Reading ****************************************************************************/

typedef struct
{
  const uint8_t *data;
  size_t         len;
  size_t         at;
  bool           big_endian;
  bool           bad;
} In;

static void
in_align (In     *in,
          size_t  alignment)
{
  in->at += (alignment - in->at % alignment) % alignment;
  if (in->at > in->len)
    in->bad = true;
}

static uint32_t
in_u32 (In *in)
{
  const uint8_t *b;

  in_align (in, 4);
  if (in->bad || in->at + 4 > in->len)
    {
      in->bad = true;
      return 0;
    }
  b = in->data + in->at;
  in->at += 4;
  if (in->big_endian)
    return (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
  return (uint32_t) b[3] << 24 | (uint32_t) b[2] << 16 | (uint32_t) b[1] << 8 | b[0];
}

/* A string in place ('s', 'o'), or "" when the message is cut short. */
static const char *
in_string (In *in)
{
  uint32_t len = in_u32 (in);
  const char *text;

  if (in->bad || in->at + len + 1 > in->len || in->data[in->at + len] != '\0')
    {
      in->bad = true;
      return "";
    }
  text = (const char *) in->data + in->at;
  in->at += len + 1;
  return text;
}

static const char *
in_signature (In *in)
{
  const char *text;
  uint8_t len;

  if (in->bad || in->at + 1 > in->len)
    {
      in->bad = true;
      return "";
    }
  len = in->data[in->at++];
  if (in->at + len + 1 > in->len || in->data[in->at + len] != '\0')
    {
      in->bad = true;
      return "";
    }
  text = (const char *) in->data + in->at;
  in->at += len + 1;
  return text;
}

typedef struct
{
  uint8_t     type;
  uint32_t    reply_serial;
  const char *member;
  const char *interface;
  const char *error_name;
  const char *signature;
  In          body;
} Message;

static void
in_field (In      *in,
          Message *message)
{
  uint8_t code;
  const char *type;

  in_align (in, 8);
  if (in->bad || in->at >= in->len)
    {
      in->bad = true;
      return;
    }
  code = in->data[in->at++];
  type = in_signature (in);

  if (strcmp (type, "u") == 0)
    {
      uint32_t value = in_u32 (in);

      if (code == FIELD_REPLY_SERIAL)
        message->reply_serial = value;
    }
  else if (strcmp (type, "g") == 0)
    {
      const char *value = in_signature (in);

      if (code == FIELD_SIGNATURE)
        message->signature = value;
    }
  else if (strcmp (type, "s") == 0 || strcmp (type, "o") == 0)
    {
      const char *value = in_string (in);

      if (code == FIELD_MEMBER)
        message->member = value;
      else if (code == FIELD_INTERFACE)
        message->interface = value;
      else if (code == FIELD_ERROR_NAME)
        message->error_name = value;
    }
  else
    in->bad = true;      /* no other type is in a header (unix fds: not asked for) */
}

/* The whole length of the message at @data, or 0 while its fixed part is
 * not all there. */
static size_t
message_length (const uint8_t *data,
                size_t         len)
{
  In in = { data, len, 4, data[0] == 'B', false };
  uint32_t body_len, fields_len;
  size_t header;

  if (len < 16)
    return 0;
  body_len = in_u32 (&in);
  in_u32 (&in);
  fields_len = in_u32 (&in);
  header = 16 + (size_t) fields_len;
  header += (8 - header % 8) % 8;
  return header + body_len;
}

static bool
parse_message (const uint8_t *data,
               size_t         len,
               Message       *message)
{
  In in = { data, len, 4, data[0] == 'B', false };
  size_t fields_end;

  memset (message, 0, sizeof *message);
  message->type = data[1];
  message->member = message->interface = message->error_name = message->signature = "";
  in_u32 (&in);
  in_u32 (&in);
  fields_end = 16 + (size_t) in_u32 (&in);
  while (!in.bad && in.at < fields_end)
    in_field (&in, message);
  in_align (&in, 8);
  if (in.bad)
    return false;

  /* the body's alignment is relative to the message's start */
  message->body = in;
  return true;
}

/* The connection *****************************************************************/

typedef struct
{
  int       fd;
  long long deadline_ms;
  uint8_t   buf[16384];
  size_t    len;
} Connection;

static bool
wait_fd (Connection *self,
         short       events)
{
  struct pollfd pfd = { self->fd, events, 0 };
  long long left = self->deadline_ms - reaper_now_ms ();
  int n;

  if (left <= 0)
    return false;
  do
    n = poll (&pfd, 1, (int) left);
  while (n < 0 && errno == EINTR);
  return n > 0;
}

static bool
send_all (Connection *self,
          const void *data,
          size_t      len)
{
  size_t done = 0;

  while (done < len)
    {
      ssize_t n = send (self->fd, (const char *) data + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && errno == EAGAIN && wait_fd (self, POLLOUT))
        continue;
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      done += n;
    }
  return true;
}

static bool
receive_more (Connection *self)
{
  ssize_t n;

  if (self->len == sizeof self->buf || !wait_fd (self, POLLIN))
    return false;
  do
    n = recv (self->fd, self->buf + self->len, sizeof self->buf - self->len, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n < 0 && errno == EAGAIN;
  self->len += n;
  return true;
}

/* Decodes %XX escapes of an address value. */
static void
unescape_address (char *text)
{
  char *out = text;

  for (char *in = text; *in != '\0'; in++)
    {
      unsigned int byte;

      if (in[0] == '%' && sscanf (in + 1, "%2x", &byte) == 1)
        {
          *out++ = (char) byte;
          in += 2;
        }
      else
        *out++ = *in;
    }
  *out = '\0';
}

static int
connect_unix (const char *path,
              bool        abstract)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  size_t len = strlen (path);
  socklen_t addr_len;
  int fd;

  if (len + 1 > sizeof addr.sun_path)
    return -1;
  memcpy (addr.sun_path + (abstract ? 1 : 0), path, len);
  addr_len = offsetof (struct sockaddr_un, sun_path) + len + (abstract ? 1 : 0);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &addr, addr_len) < 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}

/* The first unix address of a D-Bus address list that connects. */
static int
connect_address (const char *addresses)
{
  char *copy = strdup (addresses), *save = NULL;
  int fd = -1;

  for (char *address = strtok_r (copy, ";", &save); fd < 0 && address != NULL;
       address = strtok_r (NULL, ";", &save))
    {
      char *save_kv = NULL;

      if (strncmp (address, "unix:", 5) != 0)
        continue;
      for (char *kv = strtok_r (address + 5, ",", &save_kv); fd < 0 && kv != NULL;
           kv = strtok_r (NULL, ",", &save_kv))
        {
          bool abstract = strncmp (kv, "abstract=", 9) == 0;

          if (!abstract && strncmp (kv, "path=", 5) != 0)
            continue;
          unescape_address (strchr (kv, '=') + 1);
          fd = connect_unix (strchr (kv, '=') + 1, abstract);
        }
    }

  free (copy);
  return fd;
}

/* EXTERNAL: the server knows the uid from the socket; the client names it
 * in hex of its decimal digits. */
static bool
authenticate (Connection *self)
{
  char line[128], uid[16];
  int n = 0;

  snprintf (uid, sizeof uid, "%u", (unsigned int) getuid ());
  n += snprintf (line, sizeof line, "%cAUTH EXTERNAL ", '\0');
  for (const char *p = uid; *p != '\0'; p++)
    n += snprintf (line + n, sizeof line - n, "%02x", (unsigned char) *p);
  n += snprintf (line + n, sizeof line - n, "\r\n");
  if (!send_all (self, line, n))
    return false;

  while (memmem (self->buf, self->len, "\r\n", 2) == NULL)
    if (!receive_more (self))
      return false;
  if (self->len < 3 || memcmp (self->buf, "OK ", 3) != 0)
    return false;

  self->len = 0;
  return send_all (self, "BEGIN\r\n", 7);
}

/* The next whole message; false at the deadline, an error or a bad one. */
static bool
next_message (Connection *self,
              uint8_t    *data,
              size_t      size,
              Message    *message)
{
  size_t len;

  for (;;)
    {
      if (self->len >= 16 && self->buf[0] != 'l' && self->buf[0] != 'B')
        return false;
      len = self->len >= 16 ? message_length (self->buf, self->len) : 0;
      if (len > 0 && (len > size || len > sizeof self->buf))
        return false;
      if (len > 0 && self->len >= len)
        break;
      if (!receive_more (self))
        return false;
    }

  memcpy (data, self->buf, len);
  memmove (self->buf, self->buf + len, self->len - len);
  self->len -= len;
  return parse_message (data, len, message);
}

/* The scope ******************************************************************************/

static const char *
private_socket (char   *path,
                size_t  size)
{
  const char *runtime = getenv ("XDG_RUNTIME_DIR");
  struct stat st;

  if (runtime == NULL || runtime[0] == '\0' ||
      snprintf (path, size, "%s/systemd/private", runtime) >= (int) size ||
      stat (path, &st) < 0 || !S_ISSOCK (st.st_mode))
    return NULL;
  return path;
}

/* A user manager runs where its private socket is, or, on a machine that
 * systemd booted, presumably on the session bus.
 */
bool
systemd_available (void)
{
  char path[4096];
  const char *bus = getenv ("DBUS_SESSION_BUS_ADDRESS");

  return private_socket (path, sizeof path) != NULL ||
         (bus != NULL && bus[0] != '\0' && access ("/run/systemd/system", F_OK) == 0);
}

typedef struct
{
  char job[256];               /* the job StartTransientUnit returned */
  char removed[16][256];       /* jobs removed before the reply came */
  char results[16][32];
  int  n_removed;
  char result[32];             /* the job's result, once removed */
} JobWait;

static void
note_removed (JobWait     *wait,
              const char  *job,
              const char  *result)
{
  if (wait->job[0] != '\0')
    {
      if (strcmp (job, wait->job) == 0)
        snprintf (wait->result, sizeof wait->result, "%s", result);
      return;
    }
  if (wait->n_removed == 16)
    return;
  snprintf (wait->removed[wait->n_removed], sizeof wait->removed[0], "%s", job);
  snprintf (wait->results[wait->n_removed++], sizeof wait->results[0], "%s", result);
}

static void
note_job (JobWait    *wait,
          const char *job)
{
  snprintf (wait->job, sizeof wait->job, "%s", job);
  for (int i = 0; i < wait->n_removed; i++)
    if (strcmp (wait->removed[i], job) == 0)
      snprintf (wait->result, sizeof wait->result, "%s", wait->results[i]);
}

/* JobRemoved (u id, o job, s unit, s result) */
static void
take_signal (JobWait       *wait,
             const Message *message)
{
  In body = message->body;
  const char *job, *result;

  if (strcmp (message->member, "JobRemoved") != 0 ||
      strcmp (message->interface, MANAGER_IFACE) != 0 ||
      strcmp (message->signature, "uoss") != 0)
    return;
  in_u32 (&body);
  job = in_string (&body);
  in_string (&body);
  result = in_string (&body);
  if (!body.bad)
    note_removed (wait, job, result);
}

/* Reads until the call @serial is answered and its job removed. */
static bool
wait_for_job (Connection *self,
              uint32_t    serial,
              char       *why)
{
  static uint8_t data[16384];
  JobWait wait = { 0 };
  Message message;

  while (wait.result[0] == '\0')
    {
      if (!next_message (self, data, sizeof data, &message))
        {
          snprintf (why, WHY_SIZE, "the systemd user manager did not start the scope in time");
          return false;
        }
      if (message.type == MSG_SIGNAL)
        take_signal (&wait, &message);
      else if (message.reply_serial == serial && message.type == MSG_ERROR)
        {
          In body = message.body;
          const char *text = strcmp (message.signature, "s") == 0 ? in_string (&body) : "";

          snprintf (why, WHY_SIZE, "the systemd user manager refused the scope: %s: %s",
                    message.error_name, text);
          return false;
        }
      else if (message.reply_serial == serial && message.type == MSG_RETURN)
        {
          In body = message.body;

          note_job (&wait, strcmp (message.signature, "o") == 0 ? in_string (&body) : "");
        }
    }

  if (strcmp (wait.result, "done") != 0)
    {
      snprintf (why, WHY_SIZE, "the systemd user manager's job for the scope ended \"%s\"", wait.result);
      return false;
    }
  return true;
}

/* On the bus: Hello, the match for JobRemoved, the call, in one write. */
static bool
start_on_bus (Connection *self,
              const char *unit,
              pid_t       pid,
              uint32_t   *serial)
{
  static Out out;
  Call hello = { BUS_NAME, BUS_PATH, BUS_NAME, "Hello", NULL };
  Call add_match = { BUS_NAME, BUS_PATH, BUS_NAME, "AddMatch", "s" };
  Call start = { SYSTEMD_NAME, SYSTEMD_PATH, MANAGER_IFACE, "StartTransientUnit", "ssa(sv)a(sa(sv))" };

  out.len = out.message_start = 0;
  out.overflow = false;
  out_simple_call (&out, 1, &hello, NULL);
  out_simple_call (&out, 2, &add_match,
                   "type='signal',sender='" SYSTEMD_NAME "',path='" SYSTEMD_PATH "',"
                   "interface='" MANAGER_IFACE "',member='JobRemoved'");
  out_start_transient_unit (&out, 3, &start, unit, pid);
  *serial = 3;

  return !out.overflow && send_all (self, out.data, out.len);
}

/* On the private socket, a direct connection: no bus, no match. */
static bool
start_direct (Connection *self,
              const char *unit,
              pid_t       pid,
              uint32_t   *serial)
{
  static Out out;
  Call start = { NULL, SYSTEMD_PATH, MANAGER_IFACE, "StartTransientUnit", "ssa(sv)a(sa(sv))" };

  out.len = out.message_start = 0;
  out.overflow = false;
  out_start_transient_unit (&out, 1, &start, unit, pid);
  *serial = 1;

  return !out.overflow && send_all (self, out.data, out.len);
}

bool
systemd_start_scope (const char *unit,
                     pid_t       pid,
                     long long   deadline_ms,
                     char       *why)
{
  static Connection self;
  const char *bus = getenv ("DBUS_SESSION_BUS_ADDRESS");
  char path[4096];
  bool direct = private_socket (path, sizeof path) != NULL;
  uint32_t serial = 0;
  bool ok;

  self.len = 0;
  self.deadline_ms = deadline_ms;
  self.fd = direct ? connect_unix (path, false)
                   : bus != NULL ? connect_address (bus) : -1;
  if (self.fd < 0)
    {
      snprintf (why, WHY_SIZE, direct ? "cannot connect to the systemd user manager's socket %s"
                                      : "no systemd user manager (no session bus to reach it%s)",
                direct ? path : "");
      return false;
    }

  ok = authenticate (&self) &&
       (direct ? start_direct (&self, unit, pid, &serial) : start_on_bus (&self, unit, pid, &serial));
  if (!ok)
    snprintf (why, WHY_SIZE, "cannot talk to the systemd user manager %s",
              direct ? "on its socket" : "on the session bus");
  else
    ok = wait_for_job (&self, serial, why);

  close (self.fd);
  return ok;
}
