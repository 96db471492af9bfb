// `glmdesk-cli serve`: load a model, serve it over the OpenAI API until SIGINT/SIGTERM.
#pragma once

namespace glmdesk::app {

// argv[0] is "serve". Returns the process exit status; never throws.
int runServeCommand(int argc, char **argv);

} // namespace glmdesk::app
