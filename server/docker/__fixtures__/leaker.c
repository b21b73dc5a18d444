/* Test fixture for the container integration tests: a static program that leaks threads at a known rate.
 * Usage: leaker <threadsPerSecond> <maxThreads> [zombies]
 *   rate 0 = flat: start maxThreads threads at once, then idle.
 * Half the leaked threads park in pause(), half in pthread_cond_wait (futex), so diagnosis sees two groups.
 * When pthread_create fails it prints Python's message, like a Celery worker hitting pids.max would. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *park_pause(void *arg) { (void)arg; prctl(PR_SET_NAME, "leak-pause"); for (;;) pause(); return NULL; }
static void *park_futex(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "leak-futex");
  pthread_mutex_lock(&mu);
  for (;;) pthread_cond_wait(&cv, &mu);
  return NULL;
}

static int spawn(long n) {
  pthread_t t;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 64 * 1024);
  int rc = pthread_create(&t, &a, (n % 2) ? park_futex : park_pause, NULL);
  pthread_attr_destroy(&a);
  if (rc != 0) {
    fprintf(stderr, "RuntimeError: can't start new thread (pthread_create: %s)\n", strerror(rc));
    return -1;
  }
  pthread_detach(t);
  return 0;
}

int main(int argc, char **argv) {
  double rate = argc > 1 ? atof(argv[1]) : 1.0;
  long max = argc > 2 ? atol(argv[2]) : 1000;
  long zombies = argc > 3 ? atol(argv[3]) : 0;
  setvbuf(stdout, NULL, _IOLBF, 0);
  setvbuf(stderr, NULL, _IOLBF, 0);
  for (long z = 0; z < zombies; z++) {
    pid_t p = fork();
    if (p == 0) _exit(0); /* never reaped: stays a zombie */
  }
  printf("leaker start rate=%.3f max=%ld zombies=%ld\n", rate, max, zombies);
  long made = 0;
  if (rate <= 0) {
    for (; made < max; made++) if (spawn(made) != 0) break;
    for (;;) pause();
  }
  long intervalNs = (long)(1e9 / rate);
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (made < max) {
    if (spawn(made) == 0) made++;
    next.tv_nsec += intervalNs;
    while (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  printf("leaker reached max=%ld\n", max);
  for (;;) pause();
}
