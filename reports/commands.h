/* The verbs of the whyslow command; each returns the process exit status. */
#ifndef WHYSLOW_COMMANDS_H
#define WHYSLOW_COMMANDS_H
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_scale(int argc, char **argv);
int cmd_machine(int argc, char **argv);
int cmd_events(int argc, char **argv);
#endif
