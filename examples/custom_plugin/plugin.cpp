// The plugin's one exported entry: its name and version, and what it registers.
#include <mlpersist/plugin.hpp>

#include "nearest_centroid.hpp"

MLPERSIST_PLUGIN(nearest_centroid, "1.0.0",
                 [](mlpersist::Registrar& r) { r.add_estimator<example::NearestCentroid>(); })
