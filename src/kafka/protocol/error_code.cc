#include "src/kafka/protocol/error_code.h"
