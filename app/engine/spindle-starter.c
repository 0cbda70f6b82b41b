/* spindle-starter.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-starter-private.h"
#include "spindle-worker-set.h"

/* Threads that create worker threads, so that a set's owner can spawn ten
 * thousand workers without spending a second in pthread_create() (clone,
 * the stack's mmap and its guard page): the owner makes each worker,
 * STARTING, and queues its job; up to MAX_THREADS starter threads create
 * the threads in order. They live while there is work and end when the
 * queue is empty.
 *
 * Each queued job is taken once (_spindle_job_take_start_pending()): by a
 * starter thread, which creates its thread, or by a stop or force-cancel
 * that comes first, which ends it without a thread. A thread that cannot
 * be created makes the worker FAILED with the error a synchronous spawn
 * gives. Nothing here runs a body or holds a lock a body could take.
 */

#define MAX_THREADS  2
#define STACK_SIZE   (256 * 1024)

struct _SpindleStarter
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  GCond            idle;        /* n_threads went to 0 */
  GQueue           jobs;        /* SpindleJob, a reference each */
  guint            n_threads;
  gboolean         closed;
  SpindleStarterPause pause;    /* for tests: where starter threads wait */
  guint            n_paused;    /* threads waiting there now */
  GCond            resumed;
};

SpindleStarter *
_spindle_starter_new (void)
{
  SpindleStarter *self = g_new0 (SpindleStarter, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_cond_init (&self->idle);
  g_cond_init (&self->resumed);
  g_queue_init (&self->jobs);

  return self;
}

static SpindleStarter *
starter_ref (SpindleStarter *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_spindle_starter_unref (SpindleStarter *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_assert (self->n_threads == 0 && self->jobs.length == 0);
  g_cond_clear (&self->idle);
  g_cond_clear (&self->resumed);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* The worker shows FAILED with the error, as after a child's failed start. */
static void
post_failure (SpindleJob   *job,
              const GError *error)
{
  SpindleEvent *event = _spindle_event_new (SPINDLE_EVENT_FINISHED, job);

  event->terminal = SPINDLE_WORKER_STATE_FAILED;
  event->error = g_error_copy (error);
  event->report = _spindle_cleanup_report_new ();
  event->time = g_get_monotonic_time ();
  _spindle_job_post (job, event);
  _spindle_job_report_ended (job, SPINDLE_WORKER_STATE_FAILED);
}

/* With the lock held. */
static void
wait_at (SpindleStarter      *self,
         SpindleStarterPause  where)
{
  while (self->pause == where)
    {
      self->n_paused++;
      g_cond_wait (&self->resumed, &self->lock);
      self->n_paused--;
    }
}

static void
start_job (SpindleStarter *self,
           SpindleJob     *job)
{
  g_autoptr(GError) error = NULL;

  /* a request came first and ended it */
  if (!_spindle_job_take_start_pending (job))
    return;

  if (G_UNLIKELY (self->pause != SPINDLE_STARTER_PAUSE_NONE))
    {
      g_mutex_lock (&self->lock);
      wait_at (self, SPINDLE_STARTER_PAUSE_AFTER_TAKE);
      g_mutex_unlock (&self->lock);
    }

  if (!_spindle_job_start (job, &error))
    post_failure (job, error);
}

static gpointer
starter_thread_main (gpointer data)
{
  SpindleStarter *self = data;
  SpindleJob *job;

  pthread_setname_np (pthread_self (), "spindle-starter");

  g_mutex_lock (&self->lock);
  wait_at (self, SPINDLE_STARTER_PAUSE_BEFORE_TAKE);
  while ((job = g_queue_pop_head (&self->jobs)) != NULL)
    {
      g_mutex_unlock (&self->lock);
      start_job (self, job);
      _spindle_job_unref (job);
      g_mutex_lock (&self->lock);
      wait_at (self, SPINDLE_STARTER_PAUSE_BEFORE_TAKE);
    }
  self->n_threads--;
  g_cond_broadcast (&self->idle);
  g_mutex_unlock (&self->lock);

  _spindle_starter_unref (self);

  return NULL;
}

/* With the lock held. Detached: it ends on its own once the queue is
 * empty, and _spindle_starter_close() waits for that.
 */
static gboolean
add_thread (SpindleStarter *self)
{
  pthread_attr_t attr;
  pthread_t thread;
  int rc;

  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, STACK_SIZE);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  starter_ref (self);
  rc = pthread_create (&thread, &attr, starter_thread_main, self);
  pthread_attr_destroy (&attr);

  if (rc != 0)
    {
      g_atomic_ref_count_dec (&self->ref_count);
      return FALSE;
    }

  self->n_threads++;
  return TRUE;
}

/* On the set's thread, for a job marked with _spindle_job_set_start_pending()
 * and its worker STARTING: its thread is created soon, in the order of the
 * pushes. With no starter thread to be had (the thread limit is reached),
 * the job is started here, and a failure still arrives as a FAILED worker.
 */
void
_spindle_starter_push (SpindleStarter *self,
                       SpindleJob     *job)
{
  gboolean queued = TRUE;

  g_mutex_lock (&self->lock);
  g_assert (!self->closed);
  g_queue_push_tail (&self->jobs, _spindle_job_ref (job));
  if (self->n_threads < MAX_THREADS && self->jobs.length > self->n_threads &&
      !add_thread (self) && self->n_threads == 0)
    queued = !g_queue_remove (&self->jobs, job);
  g_mutex_unlock (&self->lock);

  if (!queued)
    {
      start_job (self, job);
      _spindle_job_unref (job);
    }
}

/* The set is going away, its workers disowned: whatever is still queued
 * was ended by its request and is only dropped. Waits for the starter
 * threads to be done with every job.
 */
void
_spindle_starter_close (SpindleStarter *self)
{
  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  self->pause = SPINDLE_STARTER_PAUSE_NONE;
  g_cond_broadcast (&self->resumed);
  while (self->n_threads > 0)
    g_cond_wait (&self->idle, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* For tests: makes the starter threads wait before they take a job, or
 * after they took one and before they create its thread, until called
 * again with %SPINDLE_STARTER_PAUSE_NONE (or the set goes away).
 */
void
_spindle_starter_set_pause (SpindleStarter      *self,
                            SpindleStarterPause  pause)
{
  g_mutex_lock (&self->lock);
  self->pause = pause;
  g_cond_broadcast (&self->resumed);
  g_mutex_unlock (&self->lock);
}

/* For tests: how many starter threads wait at the pause now. */
guint
_spindle_starter_get_n_paused (SpindleStarter *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_paused;
  g_mutex_unlock (&self->lock);

  return n;
}

/* Stacks ******************************************************************/

/* Worker threads' stacks, made here rather than by glibc. A fresh glibc
 * stack costs a new thread two page faults: its descriptor and TLS at the
 * top, written by pthread_create(), and its first frames just below,
 * written by the thread (20,000 faults for 10,000 workers). On a virtual
 * machine where such a fault cost ~26 µs, the same two pages populated by
 * one madvise() cost ~19 µs each, the hypervisor still mapping each on
 * its first touch: ~14 µs less per thread, about a tenth of its creation.
 * Each stack has a guard page below it, as glibc's do.
 *
 * A stack comes back once its thread was joined: at once, or, for a thread
 * let go (where glibc's would be detached), once it has ended and is found
 * so (pthread_tryjoin_np()). Every take, give and let-go, and the end of
 * every job's thread, looks at up to REAP_BATCH threads let go, from where
 * the last look stopped: the stacks of ended threads come back as others
 * end, without waiting for a spawn, and no call holds stack_lock over
 * thousands of them. Up to STACK_CACHE stacks are kept for reuse, as glibc
 * keeps its own; the others are unmapped. Only the default size is made
 * here; under AddressSanitizer, which watches stacks, none.
 */
#define STACK_POOLED_SIZE  SPINDLE_DEFAULT_STACK_SIZE
#define STACK_TOP_PAGES    2
#define STACK_CACHE        64
#define REAP_BATCH         16

#ifdef __SANITIZE_ADDRESS__
# define UNDER_ASAN TRUE
#else
# define UNDER_ASAN FALSE
#endif

typedef struct
{
  pthread_t  thread;
  char      *stack;
} LetGo;

static GMutex   stack_lock;
static char    *cached_stacks[STACK_CACHE];  /* with stack_lock */
static guint    n_cached_stacks;
static GArray  *let_go;                      /* LetGo, with stack_lock */
static guint    reap_cursor;                 /* with stack_lock */
static gint     n_let_go;                    /* let_go->len, atomic */

static gsize
page_size (void)
{
  return sysconf (_SC_PAGESIZE);
}

static char *
map_stack (void)
{
  gsize page = page_size ();
  char *base = mmap (NULL, page + STACK_POOLED_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

  if (base == MAP_FAILED)
    return NULL;

  if (mprotect (base, page, PROT_NONE) != 0)
    {
      munmap (base, page + STACK_POOLED_SIZE);
      return NULL;
    }

  /* without it (before Linux 5.14) they fault in as glibc's would */
  madvise (base + page + STACK_POOLED_SIZE - STACK_TOP_PAGES * page,
           STACK_TOP_PAGES * page, MADV_POPULATE_WRITE);

  return base + page;
}

/* With stack_lock held. */
static void
cache_stack (char *stack)
{
  if (n_cached_stacks < STACK_CACHE)
    cached_stacks[n_cached_stacks++] = stack;
  else
    munmap (stack - page_size (), page_size () + STACK_POOLED_SIZE);
}

/* With stack_lock held: of the next @n threads let go, those that ended
 * are joined and give their stacks back. pthread_tryjoin_np() never
 * blocks and is no cancellation point; on the calling thread itself it
 * fails (the thread has not ended).
 */
static void
reap_some (guint n)
{
  for (guint seen = 0; let_go != NULL && let_go->len > 0 && seen < n; seen++)
    {
      LetGo *entry;

      if (reap_cursor >= let_go->len)
        reap_cursor = 0;
      entry = &g_array_index (let_go, LetGo, reap_cursor);

      if (pthread_tryjoin_np (entry->thread, NULL) == 0)
        {
          cache_stack (entry->stack);
          /* the last entry moves here: look at it next */
          g_array_remove_index_fast (let_go, reap_cursor);
          g_atomic_int_set (&n_let_go, let_go->len);
        }
      else
        reap_cursor++;
    }
}

/* A stack of @size bytes for pthread_attr_setstack(), or NULL: let glibc
 * make it (another size, or none could be mapped). Safe from any thread.
 */
gpointer
_spindle_starter_take_stack (gsize size)
{
  char *stack = NULL;

  if (size != STACK_POOLED_SIZE || UNDER_ASAN)
    return NULL;

  g_mutex_lock (&stack_lock);
  reap_some (REAP_BATCH);
  if (n_cached_stacks > 0)
    stack = cached_stacks[--n_cached_stacks];
  g_mutex_unlock (&stack_lock);

  return stack != NULL ? stack : map_stack ();
}

/* A stack from _spindle_starter_take_stack () whose thread was joined, or
 * never created.
 */
void
_spindle_starter_give_stack (gpointer stack)
{
  g_mutex_lock (&stack_lock);
  cache_stack (stack);
  reap_some (REAP_BATCH);
  g_mutex_unlock (&stack_lock);
}

/* Instead of pthread_detach() for a thread on such a stack: it is joined
 * once it has ended, and its stack taken back.
 */
void
_spindle_starter_let_go (pthread_t thread,
                         gpointer  stack)
{
  LetGo entry = { thread, stack };

  g_mutex_lock (&stack_lock);
  if (let_go == NULL)
    let_go = g_array_new (FALSE, FALSE, sizeof (LetGo));
  g_array_append_val (let_go, entry);
  g_atomic_int_set (&n_let_go, let_go->len);
  reap_some (REAP_BATCH);
  g_mutex_unlock (&stack_lock);
}

/* At the end of a job's thread, with no lock of the job's held: the stacks
 * of other threads let go that ended come back, as threads end rather than
 * at the next spawn. Safe from any thread, with cancellation disabled or
 * not (it takes no cancellation point).
 */
void
_spindle_starter_reap (void)
{
  if (g_atomic_int_get (&n_let_go) == 0)
    return;

  g_mutex_lock (&stack_lock);
  reap_some (REAP_BATCH);
  g_mutex_unlock (&stack_lock);
}
