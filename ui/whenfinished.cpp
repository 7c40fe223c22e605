#include "ui/whenfinished.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace lanedeck::ui {

void returnFreedMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace lanedeck::ui
