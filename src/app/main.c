/* moltty entry point: placeholder until the app module lands. */
#include <stdio.h>
int main(void)
{
	fputs("moltty: not built yet\n", stderr);
	return 1;
}
