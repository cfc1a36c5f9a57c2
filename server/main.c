/*
 * main.c - entry point of stormglassd (the whole server is in
 * lifecycle.c and the files it names).  --version is answered here, from
 * the build stamp (dist/version.mk), before any setting is read.
 */
#include <stdio.h>
#include <string.h>

#include "build_info.h" /* generated: SG_BUILD_VERSION_LINE (dist/version.mk) */
#include "server.h"

extern char **environ;

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        fputs(SG_BUILD_VERSION_LINE("stormglassd"), stdout);
        return 0;
    }
    return sd_server_run(argc, argv, environ);
}
