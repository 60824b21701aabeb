/* A library whose PT_LOAD segments are 2 MiB apart (linked with
 * -z max-page-size=0x200000): the loader leaves the gaps between them
 * PROT_NONE.  t_unwindgap aims a frame pointer into one. */
int tgap_fn(int x);

int
tgap_fn(int x)
{
	return x * 3 + 1;
}
