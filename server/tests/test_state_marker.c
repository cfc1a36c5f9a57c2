/*
 * test_state_marker.c - the state marker file (state_marker.c) and the
 * epoch choice (instance.c): a first start finds nothing, "running" and
 * anything not understood mean unclean, "clean" does not; a failed write
 * leaves the old marker whole; bad directories are refused naming
 * --state-dir; epochs differ across processes and from the predecessor.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"
#include "state_marker.h"
#include "test_util.h"
#include "test_fiu.h"

static char dir[64];
static char path[SD_MARKER_PATH_MAX];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sg-marker-test-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    sg_error err;
    return sd_marker_path(dir, 7, path, sizeof path, &err) == SG_OK ? 0 : -1;
}

static int entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_raw(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static sd_marker read_ok(void)
{
    sd_marker m;
    sg_error err;
    assert_int_equal(sd_marker_read(path, &m, &err), SG_OK);
    return m;
}

static void test_first_start_finds_nothing(void **state)
{
    (void)state;
    sd_marker m = read_ok();
    assert_int_equal(m.status, SD_MARKER_NONE);
    assert_false(sd_marker_unclean(&m)); /* never flag the very first start */
    assert_non_null(strstr(path, "/worker-7.state"));
}

static void test_running_then_clean(void **state)
{
    (void)state;
    sg_error err;
    assert_int_equal(sd_marker_write(path, SD_MARKER_RUNNING, 1234567890123ull, &err), SG_OK);
    sd_marker m = read_ok();
    assert_int_equal(m.status, SD_MARKER_RUNNING);
    assert_int_equal(m.epoch, 1234567890123ull);
    assert_true(sd_marker_unclean(&m));
    assert_int_equal(sd_marker_write(path, SD_MARKER_CLEAN, 42, &err), SG_OK);
    m = read_ok();
    assert_int_equal(m.status, SD_MARKER_CLEAN);
    assert_int_equal(m.epoch, 42);
    assert_false(sd_marker_unclean(&m));
    assert_int_equal(entries(), 1); /* no temporary file left behind */
}

static void test_anything_else_is_unclean(void **state)
{
    (void)state;
    const char *bad[] = {"", "garbage\n", "stormglassd-marker 1 status=clean epoch=12",  /* no newline */
                         "stormglassd-marker 1 status=clean epoch=12\nmore\n", "stormglassd-marker 2 status=clean epoch=1\n",
                         "stormglassd-marker 1 status=paused epoch=1\n", "stormglassd-marker 1 status=clean epoch=-1\n",
                         "stormglassd-marker 1 status=clean epoch=99999999999999999999999\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_raw(bad[i]);
        sd_marker m = read_ok();
        if (m.status != SD_MARKER_UNREADABLE) {
            fail_msg("\"%s\" read as %s", bad[i], sd_marker_status_name(m.status));
        }
        assert_true(sd_marker_unclean(&m)); /* in doubt: a loss may have happened */
    }
}

static void test_failed_write_keeps_the_old_marker(void **state)
{
    (void)state;
    sg_error err;
    assert_int_equal(sd_marker_write(path, SD_MARKER_RUNNING, 5, &err), SG_OK);
    fiu_enable("stormglass/server/marker_write", 1, NULL, 0);
    err.msg[0] = '\0';
    assert_int_equal(sd_marker_write(path, SD_MARKER_CLEAN, 5, &err), SG_E_INVALID);
    fiu_disable("stormglass/server/marker_write");
    assert_non_null(strstr(err.msg, "--state-dir: cannot write"));
    sd_marker m = read_ok();
    assert_int_equal(m.status, SD_MARKER_RUNNING); /* whole, and still unclean */
    assert_int_equal(m.epoch, 5);
    assert_int_equal(entries(), 1);
}

static void test_bad_directories_name_the_setting(void **state)
{
    (void)state;
    sg_error err;
    err.msg[0] = '\0';
    assert_int_equal(sd_marker_dir_check("/nonexistent/sg-state", &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "--state-dir: /nonexistent/sg-state: "));
    write_raw("x");
    assert_int_equal(sd_marker_dir_check(path, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "not a directory"));
    assert_int_equal(sd_marker_dir_check(dir, &err), SG_OK);
    char out[SD_MARKER_PATH_MAX];
    assert_int_equal(sd_marker_path("", 0, out, sizeof out, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "--state-dir"));
    char longdir[SD_MARKER_PATH_MAX];
    memset(longdir, 'a', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = '\0';
    assert_int_equal(sd_marker_path(longdir, 0, out, sizeof out, &err), SG_E_INVALID);
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0); /* the marker's name is a directory */
    sd_marker m;
    assert_int_equal(sd_marker_read(path, &m, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "--state-dir: cannot read"));
    rmdir(path);
}

static void test_epochs_differ(void **state)
{
    (void)state;
    uint64_t wall = 1718000000123456789ull;
    uint64_t a = sd_instance_epoch(wall, 100, 0);
    uint64_t b = sd_instance_epoch(wall, 101, 0);
    assert_int_not_equal(a, b); /* two processes at the same instant */
    assert_int_not_equal(sd_instance_epoch(wall + 5000000, 100, 0), a); /* the same pid 5 ms later */
    assert_int_not_equal(sd_instance_epoch(wall, 100, a), a);          /* never the predecessor's */
    assert_int_not_equal(sd_instance_epoch(0, 0, 0), 0);
    assert_int_not_equal(sd_instance_epoch(0, 0, UINT64_MAX), UINT64_MAX);
    /* close to the wall clock, for people reading logs */
    assert_true(a <= wall + (1u << 22) && a + (1u << 22) >= wall);
}

int main(void)
{
    fiu_init(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_start_finds_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_running_then_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anything_else_is_unclean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_the_old_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_directories_name_the_setting, setup, teardown),
        cmocka_unit_test(test_epochs_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
