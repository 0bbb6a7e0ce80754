/* replay-main.c
 *
 * Copyright 2026 etwscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A main() for a harness outside libFuzzer: runs LLVMFuzzerTestOneInput
 * once on every file given (folders: every file in them, sorted). This is
 * how the kept inputs (findings, seeds) run as normal tests, under any
 * compiler and the ASan/UBSan build. A finding aborts; TAP otherwise.
 */
#include "fuzz-common.h"

#include <dirent.h>
#include <sys/stat.h>

static int n_tests;

static uint8_t *
read_all (const char *path,
          size_t     *len)
{
  FILE *fp = fopen (path, "rb");
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0;

  if (fp == NULL)
    return NULL;
  for (;;)
    {
      if (n == cap)
        {
          uint8_t *b;
          cap = cap ? cap * 2 : 65536;
          b = realloc (buf, cap);
          if (b == NULL)
            {
              free (buf);
              fclose (fp);
              return NULL;
            }
          buf = b;
        }
      size_t r = fread (buf + n, 1, cap - n, fp);
      n += r;
      if (r == 0)
        break;
    }
  fclose (fp);
  *len = n;
  return buf;
}

static bool
run_file (const char *path)
{
  size_t len = 0;
  uint8_t *buf = read_all (path, &len);
  uint8_t *exact;

  if (buf == NULL)
    return false;
  /* An allocation of exactly the input's size, as libFuzzer gives. */
  exact = malloc (len > 0 ? len : 1);
  if (exact == NULL)
    return false;
  if (len > 0)
    memcpy (exact, buf, len);
  free (buf);
  LLVMFuzzerTestOneInput (exact, len);
  free (exact);
  return true;
}

static int
cmp_str (const void *a,
         const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int    argc,
      char **argv)
{
  int failed = 0;

  for (int i = 1; i < argc; i++)
    {
      struct stat st;
      unsigned n = 0;

      if (stat (argv[i], &st) != 0)
        {
          printf ("not ok %d - %s does not exist\n", ++n_tests, argv[i]);
          failed++;
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          DIR *d = opendir (argv[i]);
          struct dirent *de;
          char **names = NULL;
          size_t n_names = 0, cap = 0;

          while (d != NULL && (de = readdir (d)) != NULL)
            {
              if (de->d_name[0] == '.')
                continue;
              if (n_names == cap)
                {
                  cap = cap ? cap * 2 : 64;
                  names = realloc (names, cap * sizeof *names);
                  if (names == NULL)
                    abort ();
                }
              size_t l = strlen (argv[i]) + strlen (de->d_name) + 2;
              names[n_names] = malloc (l);
              if (names[n_names] == NULL)
                abort ();
              snprintf (names[n_names], l, "%s/%s", argv[i], de->d_name);
              n_names++;
            }
          if (d != NULL)
            closedir (d);
          if (n_names > 0)
            qsort (names, n_names, sizeof *names, cmp_str);
          for (size_t k = 0; k < n_names; k++)
            {
              struct stat fst;
              if (stat (names[k], &fst) == 0 && S_ISREG (fst.st_mode) && run_file (names[k]))
                n++;
              free (names[k]);
            }
          free (names);
        }
      else if (run_file (argv[i]))
        n = 1;
      printf ("ok %d - %u inputs from %s replayed\n", ++n_tests, n, argv[i]);
      fflush (stdout);
    }
  printf ("1..%d\n", n_tests);
  return failed > 0 ? 1 : 0;
}
