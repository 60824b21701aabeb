/* Source file text for reports (the "text" of hot lines).
 *
 * Contract: ws_source_line() returns line `line` (1-based) of file `path`
 * without its line terminator ("\n" or "\r\n"), or "" when the file cannot
 * be read, is larger than 64 MiB, or has fewer lines.  Each file is read
 * once and kept until ws_sources_free(); returned strings live as long.
 */
#ifndef WHYSLOW_SOURCE_H
#define WHYSLOW_SOURCE_H

struct ws_sources;

struct ws_sources *ws_sources_new(void);
void ws_sources_free(struct ws_sources *s);
const char *ws_source_line(struct ws_sources *s, const char *path, unsigned line);

#endif
