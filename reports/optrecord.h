/* Compiler optimisation records (-fsave-optimization-record): the loop
 * vectoriser's own account of a loop, for the vectorisation report.
 *
 * Formats:
 *   GCC    OBJECT.c.opt-record.json.gz (gzipped JSON: [metadata, passes,
 *          records]); records of pass "vect" (the loop vectoriser) with
 *          kind "failure" (missed) or "success" (passed), nested records
 *          included, messages flattened (expressions and statements as
 *          their text) and cut to their first line (the rest is dump
 *          detail such as costs).
 *   clang  OBJECT.opt.yaml (YAML documents "--- !Missed", "!Passed",
 *          "!Analysis..."); those of pass loop-vectorize, the message being
 *          the Args' values.
 *
 * Where: the compiler writes the record next to the object file, whose
 * name the debug information does not keep.  ws_optrecord_find() looks
 * under the compilation directory (DW_AT_comp_dir), the source file's
 * directory and the module's directory, and their subdirectories 4 deep
 * (CMake's CMakeFiles/T.dir/...; hidden ones and symbolic links skipped, at
 * most 20000 entries each), for record files whose names contain the
 * source file's stem ("kernel" for kernel.c) and that mention that source
 * file; the newest one wins.  When none is named so (an object named
 * otherwise), up to 64 other records are read for one that mentions it.
 *
 * Contract: reading is robust to any content (bad gzip, bad JSON or YAML,
 * missing keys: the file gives no remarks); files larger than 256 MiB
 * (uncompressed) are ignored; each file is read once and kept until
 * ws_optrecords_free(); nothing is printed.
 */
#ifndef WHYSLOW_OPTRECORD_H
#define WHYSLOW_OPTRECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "producer.h"

struct ws_remark {
	const char *kind; /* "missed", "passed" or "analysis" (clang: the reason) */
	const char *pass; /* "vect" (GCC), "loop-vectorize" (clang) */
	char *function;	  /* as the record names it; NULL */
	char *file;	  /* as the record names it */
	unsigned line, column;
	char *text; /* one line */
};

struct ws_optrecords;

struct ws_optrecords *ws_optrecords_new(void);
void ws_optrecords_free(struct ws_optrecords *o);

/* The record of source file cu_name (DW_AT_name; relative to comp_dir when
 * not absolute) compiled in comp_dir into module by compiler cc (GCC's
 * records for GCC, clang's for clang, either for others), or NULL.  The
 * path is owned by o. */
const char *ws_optrecord_find(struct ws_optrecords *o, const char *comp_dir, const char *cu_name,
			      const char *module, enum ws_compiler cc);

/* May the build that producer p describes have written a record?  false
 * when the producer lists the command-line switches (GCC by default;
 * clang with -grecord-command-line) and none of them asks for one
 * (-fsave-optimization-record[=FORMAT], -foptimization-record-file=): a
 * record found then belongs to another build of the same source (an
 * earlier -O3 one, say) and must not be shown.  true when the switches
 * are not recorded (clang's default) or p is NULL: nothing tells.  The
 * modification times are no guard: a record is written when its object
 * is compiled, which may be long before the program is linked. */
bool ws_optrecord_expected(const struct ws_producer *p);

/* The remarks of record path about file (compared by basename) on lines
 * first..last, in the record's order, each text once; *out points into o.
 * Returns their number. */
size_t ws_optrecord_remarks(struct ws_optrecords *o, const char *path, const char *file,
			    unsigned first, unsigned last, const struct ws_remark ***out);

#endif
