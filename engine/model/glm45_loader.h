// Turns an opened model (engine/io: config + tensor inventory, GGUF or Hugging Face) into what the
// forward pass reads: Glm45Dims and Glm45Weights, views into the mapped files. The inventory has
// already matched both naming schemes and checked every shape against the config.
#pragma once

#include "engine/common/status.h"
#include "engine/model/glm45_forward.h"
#include "engine/model/glm45_weights.h"

namespace glmdesk::engine {

struct Glm45Config;
class TensorInventory;
class ModelFiles;

Expected<Glm45Dims> glm45_dims(const Glm45Config &config);
Expected<Glm45Weights> glm45_weights(const TensorInventory &inventory, const Glm45Config &config);

// Both at once, from what ModelFiles::open() found.
struct Glm45Model
{
    Glm45Dims dims;
    Glm45Weights weights;
};
Expected<Glm45Model> glm45_model(const ModelFiles &files);

} // namespace glmdesk::engine
