/*
 * main.c - entry point of stormglassd (the whole server is in
 * lifecycle.c and the files it names).
 */
#include "server.h"

extern char **environ;

int main(int argc, char **argv)
{
    return sd_server_run(argc, argv, environ);
}
