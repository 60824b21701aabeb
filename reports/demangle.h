/* C++ symbol demangling without a link-time dependency on libstdc++.
 *
 * Contract: ws_demangle() returns a malloc'd demangled copy of an Itanium
 * C++ ABI name ("_Z..."), or NULL when the name is not mangled, cannot be
 * demangled, or no demangler is available.  The demangler is libstdc++'s
 * __cxa_demangle, loaded with dlopen() on first use; where libstdc++.so.6
 * is absent, names stay mangled.  Not thread-safe on first call.
 */
#ifndef WHYSLOW_DEMANGLE_H
#define WHYSLOW_DEMANGLE_H

char *ws_demangle(const char *name);

#endif
