/*
 * test_nnved_confgolden.c - nnved.conf golden files (tests/config/nnved).
 *
 * For every NAME.conf there: a good one must parse, print exactly
 * NAME.golden (the canonical form), and NAME.golden must parse back and
 * print itself again; a bad-NAME.conf must fail with exactly the error
 * lines of bad-NAME.errors ("FILE:LINE: text", FILE relative to the
 * folder, log prefix removed).  Files included by the configurations end
 * in .inc so they are not taken as configurations of their own.  The
 * shipped example, contrib/nnved.conf.example, must parse too.
 *
 * SN_UPDATE_GOLDEN=1 rewrites .golden and .errors files from what the
 * parser does now; read every changed line before keeping it.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "nnved.h"
#include "util/log.h"

#define CONF_DIR	SN_SOURCE_DIR "/tests/config/nnved"
#define EXAMPLE		SN_SOURCE_DIR "/contrib/nnved.conf.example"

static int	 update;
static FILE	*capf;
static int	 capfd = -1;

static void
cap_begin(void)
{
	capf = tmpfile();
	assert_non_null(capf);
	capfd = dup(STDERR_FILENO);
	assert_true(capfd >= 0);
	assert_true(dup2(fileno(capf), STDERR_FILENO) >= 0);
}

/* The captured log lines without "TIME ident[pid] warn: "; malloc'd. */
static char *
cap_end(void)
{
	char line[2048], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_true(dup2(capfd, STDERR_FILENO) >= 0);
	close(capfd);
	rewind(capf);
	while (fgets(line, sizeof(line), capf) != NULL) {
		const char *m = strstr(line, " warn: ");

		fputs(m != NULL ? m + 7 : line, out);
	}
	fclose(capf);
	fclose(out);
	return buf;
}

/* Whole file, or NULL if it cannot be read. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int ch;

	if (f == NULL)
		return NULL;
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	while ((ch = fgetc(f)) != EOF)
		fputc(ch, out);
	fclose(f);
	fclose(out);
	return buf;
}

static void
spill(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *
print_str(const struct nnved_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	nnved_conf_print(f, c);
	fclose(f);
	return buf;
}

/* Compares got with the file want (or rewrites it); 0 when equal. */
static int
against(const char *want_path, const char *got)
{
	char *want;
	int bad;

	if (update) {
		spill(want_path, got);
		return 0;
	}
	want = slurp(want_path);
	if (want == NULL) {
		print_message("%s: missing (SN_UPDATE_GOLDEN=1 writes it)\n",
		    want_path);
		return 1;
	}
	bad = strcmp(want, got) != 0;
	if (bad)
		print_message("%s differs; got:\n%s", want_path, got);
	free(want);
	return bad;
}

static int
check_good(const char *name, const char *base)
{
	struct nnved_conf c;
	char golden[256], *out, *again, *log;
	int rc, bad;

	cap_begin();
	rc = nnved_conf_parse(name, &c);
	log = cap_end();
	if (rc != 0) {
		print_message("%s: %d errors:\n%s", name, rc, log);
		free(log);
		return 1;
	}
	free(log);
	out = print_str(&c);
	nnved_conf_free(&c);
	snprintf(golden, sizeof(golden), "%s.golden", base);
	bad = against(golden, out);
	/* the canonical form parses back and prints itself */
	if (!bad) {
		rc = nnved_conf_parse(golden, &c);
		if (rc != 0) {
			print_message("%s: does not parse back (%d)\n", golden,
			    rc);
			bad = 1;
		} else {
			again = print_str(&c);
			if (strcmp(again, out) != 0) {
				print_message("%s: prints differently:\n%s",
				    golden, again);
				bad = 1;
			}
			free(again);
			nnved_conf_free(&c);
		}
	}
	free(out);
	return bad;
}

static int
check_bad(const char *name, const char *base)
{
	struct nnved_conf c;
	char errors[256], *log;
	int rc, bad;

	cap_begin();
	rc = nnved_conf_parse(name, &c);
	log = cap_end();
	if (rc <= 0) {
		print_message("%s: parsed (%d) but must fail\n", name, rc);
		free(log);
		return 1;
	}
	snprintf(errors, sizeof(errors), "%s.errors", base);
	bad = against(errors, log);
	/* the count returned is the number of lines logged */
	if (!bad) {
		int lines = 0;

		for (const char *s = log; *s; s++)
			lines += *s == '\n';
		if (lines != rc) {
			print_message("%s: returned %d, logged %d\n", name, rc,
			    lines);
			bad = 1;
		}
	}
	free(log);
	assert_null(c.ports);
	return bad;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
goldens(void **state)
{
	char *names[256];
	size_t n = 0;
	int failed = 0, good = 0, badn = 0;
	struct dirent *de;
	DIR *d;

	assert_int_equal(chdir(CONF_DIR), 0);
	d = opendir(".");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".conf") == 0) {
			assert_true(n < sizeof(names) / sizeof(names[0]));
			names[n++] = strdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		char base[256];

		snprintf(base, sizeof(base), "%.*s",
		    (int)(strlen(names[i]) - 5), names[i]);
		if (strncmp(names[i], "bad-", 4) == 0) {
			failed += check_bad(names[i], base);
			badn++;
		} else {
			failed += check_good(names[i], base);
			good++;
		}
		free(names[i]);
	}
	/* the folder must not be empty or lose a kind of test */
	assert_true(good >= 3);
	assert_true(badn >= 3);
	assert_int_equal(failed, 0);
	(void)state;
}

static void
example(void **state)
{
	struct nnved_conf c;
	char *log;
	int rc;

	cap_begin();
	rc = nnved_conf_parse(EXAMPLE, &c);
	log = cap_end();
	if (rc != 0)
		fail_msg("%s: %d\n%s", EXAMPLE, rc, log);
	free(log);
	assert_true(c.nports > 0);
	assert_true(c.nstations > 0);
	nnved_conf_free(&c);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(goldens),
		cmocka_unit_test(example),
	};
	const char *u = getenv("SN_UPDATE_GOLDEN");

	update = u != NULL && strcmp(u, "1") == 0;
	log_init("test_nnved_confgolden", 0, LOG_LVL_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
