/*
 * replay_main.c - runs a libFuzzer target over a checked-in corpus.
 *
 * Linked with any fuzz_<mod>_<what>.c instead of libFuzzer, so CTest
 * replays every corpus file and committed crasher under plain gcc with
 * the sanitizers.  Arguments are files or folders (one level deep).
 * Exits non-zero if a folder is empty or missing: a corpus that silently
 * vanished would otherwise turn this test into a check that cannot fail.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* Copy to an exact-size heap block so ASan sees any over-read. */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact)
		return -1;
	memcpy(exact, buf, n);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned total = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		unsigned here = 0;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				return 1;
			total++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (run_file(path) < 0) {
				closedir(d);
				return 1;
			}
			here++;
		}
		closedir(d);
		if (here == 0) {
			fprintf(stderr, "%s: empty corpus folder\n", argv[i]);
			return 1;
		}
		total += here;
	}
	printf("replayed %u inputs\n", total);
	return total ? 0 : 1;
}
