#include "fx.h"
int main(void)
{
	return 0;
}
