#pragma once

// The framework and plugins are built with hidden visibility (fmt's habit). The public API and
// every exception type are exported with default visibility: a `catch` across a plugin boundary
// only matches when the type's RTTI is shared.
#define MLPERSIST_API __attribute__((visibility("default")))
