// What a model file is and how its bytes would be placed, before anything is loaded: the app's
// view of engine/io/model_info and engine/model/placement for the model panel (the UI never
// includes engine headers). inspect() reads headers only, but a network or spinning disk can make
// that slow: call it off the UI thread. estimate() is cheap and may follow every control change.
#pragma once

#include "app/chat_engine.h"

#include <QList>
#include <QPair>
#include <QString>

#include <cstdint>
#include <memory>

namespace glmdesk::app {

struct ModelFacts
{
    QString container; // "gguf" or "safetensors"
    int files = 1;
    quint64 fileBytes = 0;
    QString architecture;
    int layers = 0;
    bool hasMtp = false;
    int experts = 0;
    int expertsUsed = 0;
    int expertsShared = 0;
    int moeLayers = 0;
    int hiddenSize = 0;
    quint64 parameters = 0;
    quint64 maxContext = 0;                 // 0: the file does not say
    QList<QPair<QString, quint64>> formats; // ("q4_K", bytes), ...
    quint64 hostMemoryBytes = 0;            // this machine's RAM; 0: unknown
    QString gpuName;                        // the first CUDA device; empty: none
    bool gpuUsable = false;                 // whether the engine can place weights on it
};

struct MemoryEstimate
{
    bool fits = false;
    bool allOnGpu = false;
    int gpuExpertLayers = 0;
    quint64 gpuBytes = 0;
    quint64 hostBytes = 0;
    quint64 kvBytes = 0;
    QString advice; // what would fit, when this does not
};

class ModelInspection
{
public:
    // Reads the model at `path` (a .gguf, any part of a split set, or a Hugging Face folder).
    // On failure returns null and sets `error` to a message for the user.
    static std::shared_ptr<const ModelInspection> inspect(const QString &path, QString *error);

    const ModelFacts &facts() const { return m_facts; }
    MemoryEstimate estimate(const LoadOptions &options) const;

    struct Private;
    explicit ModelInspection(std::unique_ptr<Private> d);
    ~ModelInspection();

private:
    ModelFacts m_facts;
    std::unique_ptr<Private> d;
};

QString formatBytes(quint64 bytes); // "12.3 GB"

} // namespace glmdesk::app
