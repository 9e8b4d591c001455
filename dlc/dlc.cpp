//===- dlc.cpp - libdlc.so ------------------------------------------------===//
//
// The shared library is made of the frontend and runtime archives (linked
// whole); this file only gives it a translation unit of its own.
//
//===----------------------------------------------------------------------===//

#include "dlc/dlc.h"
