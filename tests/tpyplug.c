/* A plugin linked against libpython (test_python_embed.sh builds it with
 * $CC against the libpython3.11 it tests; t_pyembed dlopens it): Python
 * arrives in the process as this library's dependency.  CPython's headers
 * are not needed: the few functions used are declared here. */
void Py_InitializeEx(int initsigs);
int PyRun_SimpleString(const char *command);
int Py_FinalizeEx(void);

int
tpyplug_run(const char *define, const char *run)
{
	Py_InitializeEx(0);
	int rc = PyRun_SimpleString(define) || PyRun_SimpleString(run);
	return Py_FinalizeEx() != 0 || rc;
}
