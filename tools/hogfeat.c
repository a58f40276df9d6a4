/* hogfeat: command-line front end of libhogfeat. Dispatches to one
 * subcommand per file (cmd_*.c); see `hogfeat --help`. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct cli_command {
    const char *name;
    int (*run)(cli_ctx *ctx, int argc, char **argv);
    const char *synopsis;
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"train", cli_cmd_train, "[OPTIONS] DATA -o MODEL", "extract HOG features and train a classifier"},
    {"eval", cli_cmd_eval, "[OPTIONS] MODEL DATA", "accuracy, per-class scores and confusion matrix"},
    {"predict", cli_cmd_predict, "[OPTIONS] MODEL IMAGE...", "print IMAGE<TAB>LABEL for PGM images"},
    {"info", cli_cmd_info, "MODEL", "describe what a model file holds"},
    {"extract", cli_cmd_extract, "[OPTIONS] DATA -o FILE", "write HOG features as .npy or LIBSVM text"},
    {"bench", cli_cmd_bench, "[OPTIONS] DATA", "time extraction, SVM and KNN on a dataset"},
    {"show", cli_cmd_show, "[OPTIONS] IMAGE -o OUT", "draw the HOG cell histograms of a PGM image"},
};
#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: hogfeat COMMAND [OPTIONS] ARGS...\n"
                 "       hogfeat COMMAND --help\n"
                 "       hogfeat --version | --help\n");
}

static void print_help(void)
{
    print_usage(stdout);
    printf("\nHOG features with linear SVM and KNN classifiers (libhogfeat %s).\n\nCommands:\n",
           hogfeat_version_string());
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        printf("  hogfeat %-8s %-26s %s\n", commands[i].name, commands[i].synopsis, commands[i].summary);
    printf("\n"
           "DATA is a directory holding either MNIST-format IDX files\n"
           "(train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz] for the training\n"
           "split, t10k-images-idx3-ubyte[.gz] + t10k-labels-idx1-ubyte[.gz] for the test\n"
           "split), or PGM images listed in a labels file " CLI_DEFAULT_LABELS_FILE " inside it\n"
           "(lines 'FILENAME LABEL', int32 labels, '#' comments, blank lines ignored).\n"
           "A PGM folder is one set that serves as every split.\n"
           "\n"
           "Options:\n"
           "  -h, --help     show this help and exit\n"
           "  -V, --version  print 'hogfeat <library version>' and exit\n"
           "\n"
           "Exit status:\n"
           "  %d  success\n"
           "  %d  runtime error: I/O, bad data or model file, training failure\n"
           "  %d  usage error: unknown command or option, missing or bad argument\n"
           "\n"
           "Run 'hogfeat COMMAND --help' for the options of a command.\n",
           CLI_EXIT_OK, CLI_EXIT_RUNTIME, CLI_EXIT_USAGE);
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int top_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "hogfeat: %s '%s'\nTry 'hogfeat --help' for more information.\n", what, arg);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    cli_ctx ctx;
    ctx.cmd = "";
    ctx.stderr_tty = isatty(STDERR_FILENO);
    ctx.quiet = 0;

    if (argc < 2) {
        fprintf(stderr, "hogfeat: missing command\n");
        print_usage(stderr);
        fprintf(stderr, "Try 'hogfeat --help' for more information.\n");
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("hogfeat %s\n", hogfeat_version_string());
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_help();
            return CLI_EXIT_OK;
        }
        const cli_command *cmd = find_command(argv[2]);
        if (!cmd)
            return top_usage_error("unknown command", argv[2]);
        char help_flag[] = "--help";
        char *sub_argv[] = {argv[2], help_flag, NULL};
        ctx.cmd = cmd->name;
        return cmd->run(&ctx, 2, sub_argv);
    }
    if (name[0] == '-')
        return top_usage_error("unknown option", name);
    const cli_command *cmd = find_command(name);
    if (!cmd)
        return top_usage_error("unknown command", name);
    ctx.cmd = cmd->name;
    int rc = cmd->run(&ctx, argc - 1, argv + 1);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "hogfeat %s: error writing to standard output\n", cmd->name);
        if (rc == CLI_EXIT_OK)
            rc = CLI_EXIT_RUNTIME;
    }
    return rc;
}
