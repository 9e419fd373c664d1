// The front door's part of the command line: ServerFlags to FrontDoorOptions. Pure.
#pragma once

#include "server/app/flags.h"
#include "server/listen/front_door.h"

namespace tern {

FrontDoorOptions FrontDoorOptionsFromFlags(const ServerFlags& flags);

}  // namespace tern
