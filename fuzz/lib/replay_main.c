/*
 * replay_main.c - standalone driver: replays a corpus through a harness
 * without libFuzzer, so every past crash and every seed stays a regression
 * test in `make test` (with gcc, under ASan+UBSan and with clang).
 *
 *   replay_<target>               replays fuzz/corpus/<target>/ (the name
 *                                 comes from argv[0]; run from the repo root)
 *   replay_<target> PATH...       replays these files and directories
 *
 * Files are replayed in name order, each announced before it runs, so when
 * a harness aborts the log's last line names the input.  A missing or empty
 * corpus is a failure: a target without inputs tests nothing.  Output lines
 * follow cmocka's "[ RUN ]"/"[ OK ]" shape so ci/run-tests counts them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Bounds: inputs larger than this are refused (libFuzzer's default
 * max_len is 4096; the committed corpora stay far below this). */
#define REPLAY_INPUT_MAX ((size_t)1 << 20)
#define REPLAY_FILES_MAX 100000u
#define REPLAY_PATH_MAX 4096u

typedef struct replay_stats {
    unsigned files;
} replay_stats;

static int replay_file(const char *path, replay_stats *stats)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        (void)fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = malloc(REPLAY_INPUT_MAX + 1);
    if (buf == NULL) {
        (void)fclose(f);
        (void)fprintf(stderr, "replay: out of memory\n");
        return -1;
    }
    size_t len = fread(buf, 1, REPLAY_INPUT_MAX + 1, f);
    int read_error = ferror(f);
    (void)fclose(f);
    if (read_error || len > REPLAY_INPUT_MAX) {
        (void)fprintf(stderr, "replay: %s: %s\n", path,
                      read_error ? "read error" : "larger than the 1 MiB replay limit");
        free(buf);
        return -1;
    }
    /* Exact-size copy: a harness that reads past the end trips ASan here
     * just as it would under libFuzzer. */
    uint8_t *input = (uint8_t *)fuzz_copy(buf, len);
    free(buf);
    printf("[ RUN      ] %s\n", path);
    (void)fflush(stdout);
    (void)LLVMFuzzerTestOneInput(input, len);
    free(input);
    printf("[       OK ] %s\n", path);
    stats->files++;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the regular files of dir (not recursive), sorted by name. */
static int replay_dir(const char *dir, replay_stats *stats)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        (void)fprintf(stderr, "replay: cannot open corpus %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = calloc(REPLAY_FILES_MAX, sizeof *names);
    unsigned n = 0;
    struct dirent *e;
    while (names != NULL && n < REPLAY_FILES_MAX && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            names[n] = strdup(e->d_name);
            n += names[n] != NULL;
        }
    }
    (void)closedir(d);
    if (names == NULL) {
        return -1;
    }
    qsort(names, n, sizeof *names, compare_names);
    int rc = 0;
    for (unsigned i = 0; i < n; i++) {
        char path[REPLAY_PATH_MAX];
        struct stat st;
        int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (w > 0 && (size_t)w < sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            replay_file(path, stats) != 0) {
            rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int replay_path(const char *path, replay_stats *stats)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        (void)fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return S_ISDIR(st.st_mode) ? replay_dir(path, stats) : replay_file(path, stats);
}

/* "build/gcc-release/tests/fuzz/replay_parse" -> "fuzz/corpus/parse" */
static int default_corpus(const char *argv0, char *out, size_t size)
{
    const char *base = strrchr(argv0, '/');
    base = base == NULL ? argv0 : base + 1;
    const char *prefix = "replay_";
    if (strncmp(base, prefix, strlen(prefix)) == 0) {
        base += strlen(prefix);
    }
    int w = snprintf(out, size, "fuzz/corpus/%s", base);
    return w > 0 && (size_t)w < size ? 0 : -1;
}

int main(int argc, char **argv)
{
    replay_stats stats = {0};
    int rc = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            rc |= replay_path(argv[i], &stats);
        }
    } else {
        char corpus[REPLAY_PATH_MAX];
        if (default_corpus(argv[0], corpus, sizeof corpus) != 0) {
            return 2;
        }
        rc = replay_dir(corpus, &stats);
    }
    printf("replay: %u inputs replayed\n", stats.files);
    if (stats.files == 0) {
        (void)fprintf(stderr, "replay: no inputs found: a target without a corpus tests nothing\n");
        return 1;
    }
    return rc == 0 ? 0 : 1;
}
