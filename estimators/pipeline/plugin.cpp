#include <mlpersist/plugin.hpp>

#include "pipeline.hpp"

MLPERSIST_PLUGIN(pipeline, "1.0.0",
                 [](mlpersist::Registrar& r) { r.add_estimator<mlpersist::pipeline::Pipeline>(); })
