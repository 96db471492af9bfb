// The engine's backend report, turned into text the UI shows (status bar, About box).
#pragma once

#include <QString>

namespace glmdesk::app {

// "cpu · cuda · vulkan": the backends compiled into this build.
QString compiledBackendsText();

// "GLM Desk 0.1.0 (backends: cpu, cuda, vulkan)" for --version.
QString versionLine();

} // namespace glmdesk::app
