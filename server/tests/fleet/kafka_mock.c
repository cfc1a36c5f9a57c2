/*
 * kafka_mock.c - hosts librdkafka's mock cluster (rdkafka_mock.h) in its
 * own process so stormglassd instances and tests can reach it over real
 * loopback TCP, and takes its broker down and up on command: the fleet
 * tests' Kafka "outage".
 *
 *   usage: kafka_mock BOOTSTRAP_FILE TOPIC
 *
 * Creates one broker and TOPIC with one partition (one partition keeps a
 * single order of every update, as the adapter assumes), writes the
 * bootstrap list to BOOTSTRAP_FILE (atomically, so a reader never sees half
 * of it), then waits for signals:
 *   SIGUSR1  broker down: open connections are closed, new ones refused
 *   SIGUSR2  broker up again (the log is kept: a broker restart, not a wipe)
 *   SIGTERM, SIGINT  exit
 * The signals are blocked in every thread and taken by sigwait() in main,
 * so librdkafka's threads never run a handler.  SIGSTOP/SIGCONT from
 * outside freeze the whole process: half-open sessions.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MOCK_BROKERS 1
#define MOCK_PARTITIONS 1

static int write_bootstraps(const char *path, const char *bootstraps)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        fprintf(stderr, "kafka_mock: path too long: %s\n", path);
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        perror(tmp);
        return -1;
    }
    int bad = fprintf(f, "%s\n", bootstraps) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

static void set_brokers(rd_kafka_mock_cluster_t *mc, int up)
{
    for (int32_t id = 1; id <= MOCK_BROKERS; id++) {
        rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(mc, id) : rd_kafka_mock_broker_set_down(mc, id);
        fprintf(stderr, "kafka_mock: broker %d %s: %s\n", (int)id, up ? "up" : "down", rd_kafka_err2str(err));
    }
}

static int serve(rd_kafka_mock_cluster_t *mc, const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0) {
            return 1;
        }
        if (sig == SIGUSR1) {
            set_brokers(mc, 0);
        } else if (sig == SIGUSR2) {
            set_brokers(mc, 1);
        } else {
            fprintf(stderr, "kafka_mock: signal %d, exiting\n", sig);
            return 0;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: kafka_mock BOOTSTRAP_FILE TOPIC\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread exists: they inherit it */

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        fprintf(stderr, "kafka_mock: rd_kafka_new: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, MOCK_BROKERS);
    if (mc == NULL) {
        fprintf(stderr, "kafka_mock: could not create the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, argv[2], MOCK_PARTITIONS, 1);
    int rc = 1;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "kafka_mock: topic %s: %s\n", argv[2], rd_kafka_err2str(err));
    } else if (write_bootstraps(argv[1], rd_kafka_mock_cluster_bootstraps(mc)) == 0) {
        fprintf(stderr, "kafka_mock: serving %s on %s\n", argv[2], rd_kafka_mock_cluster_bootstraps(mc));
        rc = serve(mc, &set);
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return rc;
}
