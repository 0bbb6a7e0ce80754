/* live-helper.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workloads of the live tests, as a separate program: the capture
 * never reports its own process, so whatever must be seen happens here.
 * Every mode first prints its own pid on a line (a parent's view of a
 * child's pid is gone once the child is reaped).
 *
 *   live-helper idle TOKEN          exits after 100 ms
 *   live-helper tree TOKEN          forks a child that execs "idle TOKEN-child";
 *                                   prints the child's pid
 *   live-helper tree-wait TOKEN     as tree, after a line on stdin
 *   live-helper files PATH          create+write, rename, read, delete, a failed
 *                                   open and a relative create in PATH's folder
 *   live-helper fork-files PATH     forks a child (no exec) that does "files PATH";
 *                                   prints the child's pid
 *   live-helper ticks PATH N MS     N times: opens and closes a new file PATH.i,
 *                                   then sleeps MS milliseconds; unlinks them at the end
 *   live-helper server              listens on 127.0.0.1, prints the port, accepts
 *                                   one client, receives 1000 bytes, sends 500
 *   live-helper client PORT         connects, sends 1000, receives 500, prints its port
 *   live-helper load OPS SECONDS    open/close of /dev/null at OPS per second
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "live-helper: %s: %s\n", what, strerror (errno));
  exit (2);
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

static int
run_tree (const char *self,
          const char *token,
          int         wait_line)
{
  char child_token[256];
  pid_t child;
  int status;

  if (wait_line)
    {
      char line[64];
      if (fgets (line, sizeof line, stdin) == NULL)
        return 2;
    }
  snprintf (child_token, sizeof child_token, "%s-child", token);
  child = fork ();
  if (child < 0)
    die ("fork");
  if (child == 0)
    {
      execl (self, self, "idle", child_token, (char *) NULL);
      _exit (127);
    }
  printf ("%d\n", (int) child);
  fflush (stdout);
  if (waitpid (child, &status, 0) < 0)
    die ("waitpid");
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : 1;
}

static void
write_all (int         fd,
           const char *buf,
           size_t      len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0)
        die ("write");
      buf += n;
      len -= (size_t) n;
    }
}

static int
run_files (const char *path)
{
  char renamed[4096], missing[4096], dir[4096], rel[4096];
  static char buf[4096];
  char *slash;
  int fd;

  snprintf (renamed, sizeof renamed, "%s.renamed", path);
  snprintf (missing, sizeof missing, "%s.missing", path);
  memset (buf, 'x', sizeof buf);

  fd = open (path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0)
    die ("open for writing");
  write_all (fd, buf, sizeof buf);
  close (fd);
  if (rename (path, renamed) != 0)
    die ("rename");
  fd = open (renamed, O_RDONLY);
  if (fd < 0)
    die ("open for reading");
  if (read (fd, buf, sizeof buf) != (ssize_t) sizeof buf)
    die ("read");
  close (fd);
  if (unlink (renamed) != 0)
    die ("unlink");
  if (open (missing, O_RDONLY) >= 0)
    return 1;

  /* A relative name: the capture resolves it against the cwd. */
  snprintf (dir, sizeof dir, "%s", path);
  slash = strrchr (dir, '/');
  if (slash == NULL)
    return 1;
  *slash = '\0';
  snprintf (rel, sizeof rel, "%s.rel", slash + 1);
  if (chdir (dir[0] != '\0' ? dir : "/") != 0)
    die ("chdir");
  fd = open (rel, O_CREAT | O_WRONLY, 0644);
  if (fd < 0)
    die ("open relative");
  close (fd);
  unlink (rel);
  return 0;
}

static int
run_fork_files (const char *path)
{
  pid_t child;
  int status;

  child = fork ();
  if (child < 0)
    die ("fork");
  if (child == 0)
    _exit (run_files (path));
  printf ("%d\n", (int) child);
  fflush (stdout);
  if (waitpid (child, &status, 0) < 0)
    die ("waitpid");
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : 1;
}

static int
run_ticks (const char *path,
           int         n,
           long        ms)
{
  char name[4096];

  for (int i = 0; i < n; i++)
    {
      int fd;

      snprintf (name, sizeof name, "%s.%d", path, i);
      fd = open (name, O_CREAT | O_WRONLY, 0644);
      if (fd < 0)
        die ("open");
      close (fd);
      sleep_ms (ms);
    }
  for (int i = 0; i < n; i++)
    {
      snprintf (name, sizeof name, "%s.%d", path, i);
      unlink (name);
    }
  return 0;
}

static int
run_server (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  static char buf[1000];
  size_t got = 0;
  int s, c;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  s = socket (AF_INET, SOCK_STREAM, 0);
  if (s < 0 || bind (s, (struct sockaddr *) &addr, sizeof addr) != 0 || listen (s, 4) != 0)
    die ("listen");
  if (getsockname (s, (struct sockaddr *) &addr, &len) != 0)
    die ("getsockname");
  printf ("%d\n", ntohs (addr.sin_port));
  fflush (stdout);
  c = accept (s, NULL, NULL);
  if (c < 0)
    die ("accept");
  while (got < sizeof buf)
    {
      ssize_t n = recv (c, buf + got, sizeof buf - got, 0);
      if (n <= 0)
        die ("recv");
      got += (size_t) n;
    }
  if (send (c, buf, 500, 0) != 500)
    die ("send");
  /* Let the client close first. */
  recv (c, buf, 1, 0);
  close (c);
  close (s);
  return 0;
}

static int
run_client (int port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  static char buf[1000];
  size_t got = 0;
  int s;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons ((unsigned short) port);
  s = socket (AF_INET, SOCK_STREAM, 0);
  if (s < 0 || connect (s, (struct sockaddr *) &addr, sizeof addr) != 0)
    die ("connect");
  if (getsockname (s, (struct sockaddr *) &addr, &len) != 0)
    die ("getsockname");
  printf ("%d\n", ntohs (addr.sin_port));
  fflush (stdout);
  memset (buf, 'y', sizeof buf);
  if (send (s, buf, sizeof buf, 0) != (ssize_t) sizeof buf)
    die ("send");
  while (got < 500)
    {
      ssize_t n = recv (s, buf + got, 500 - got, 0);
      if (n <= 0)
        die ("recv");
      got += (size_t) n;
    }
  close (s);
  return 0;
}

static int
run_load (long ops,
          double seconds)
{
  struct timespec start, now;
  long done = 0;

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      double elapsed;
      int fd;

      clock_gettime (CLOCK_MONOTONIC, &now);
      elapsed = (double) (now.tv_sec - start.tv_sec) + (double) (now.tv_nsec - start.tv_nsec) / 1e9;
      if (elapsed >= seconds)
        break;
      /* Paced: catch up to ops × elapsed, then sleep a little. */
      if (ops > 0 && done >= (long) (ops * elapsed))
        {
          sleep_ms (1);
          continue;
        }
      fd = open ("/dev/null", O_RDONLY);
      if (fd >= 0)
        close (fd);
      done++;
    }
  printf ("%ld\n", done);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  printf ("%d\n", (int) getpid ());
  fflush (stdout);
  if (argc >= 3 && strcmp (argv[1], "idle") == 0)
    {
      sleep_ms (100);
      return 0;
    }
  if (argc >= 3 && strcmp (argv[1], "tree") == 0)
    return run_tree (argv[0], argv[2], 0);
  if (argc >= 3 && strcmp (argv[1], "tree-wait") == 0)
    return run_tree (argv[0], argv[2], 1);
  if (argc >= 3 && strcmp (argv[1], "files") == 0)
    return run_files (argv[2]);
  if (argc >= 3 && strcmp (argv[1], "fork-files") == 0)
    return run_fork_files (argv[2]);
  if (argc >= 5 && strcmp (argv[1], "ticks") == 0)
    return run_ticks (argv[2], atoi (argv[3]), atol (argv[4]));
  if (argc >= 2 && strcmp (argv[1], "server") == 0)
    return run_server ();
  if (argc >= 3 && strcmp (argv[1], "client") == 0)
    return run_client (atoi (argv[2]));
  if (argc >= 4 && strcmp (argv[1], "load") == 0)
    return run_load (atol (argv[2]), atof (argv[3]));
  fprintf (stderr, "usage: live-helper idle|tree|tree-wait|files|fork-files|ticks|server|client|load …\n");
  return 2;
}
