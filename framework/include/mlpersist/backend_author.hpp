#pragma once

// What a format backend plugin is written against: the document model it encodes, the Backend
// interface with its Sink and DecodeInput, the helpers every backend shares (buffered writing,
// tensors from payload bytes, payload errors), little-endian and UTF-8 helpers, number text and
// base64, and the plugin descriptor and Registrar. It needs no Eigen and no estimator.
// (docs/plugins.md, "Format backend plugins".)

#include <mlpersist/backend.hpp>
#include <mlpersist/backend_support.hpp>
#include <mlpersist/base64.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/plugin.hpp>
#include <mlpersist/tensor.hpp>
#include <mlpersist/text.hpp>
#include <mlpersist/utf8.hpp>
#include <mlpersist/value.hpp>
