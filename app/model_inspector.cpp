#include "app/model_inspector.h"

#include "engine/backend/cuda/cuda_device.h"
#include "engine/io/model_info.h"
#include "engine/model/placement.h"

#include <QFile>

#include <array>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

namespace {

engine::KvType engineKvType(LoadOptions::KvType type)
{
    switch (type) {
    case LoadOptions::KvType::F32:
        return engine::KvType::F32;
    case LoadOptions::KvType::Q8_0:
        return engine::KvType::Q8_0;
    case LoadOptions::KvType::F16:
        break;
    }
    return engine::KvType::F16;
}

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

} // namespace

struct ModelInspection::Private
{
    std::array<engine::ModelFootprint, 3> footprints; // indexed by LoadOptions::KvType
    engine::MemoryBudget budget;
};

ModelInspection::ModelInspection(std::unique_ptr<Private> p) : d(std::move(p)) {}
ModelInspection::~ModelInspection() = default;

std::shared_ptr<const ModelInspection> ModelInspection::inspect(const QString &path, QString *error)
{
    auto model = engine::ModelFiles::open(QFile::encodeName(path).toStdString());
    if (!model) {
        if (error)
            *error = qs(model.status().message());
        return nullptr;
    }
    auto p = std::make_unique<Private>();
    for (const auto type :
         {LoadOptions::KvType::F16, LoadOptions::KvType::F32, LoadOptions::KvType::Q8_0})
        p->footprints[static_cast<std::size_t>(type)] =
            engine::model_footprint(model->inventory(), model->config(), engineKvType(type));
    p->budget.host_bytes = engine::host_memory_bytes();
    // The engine runs on the CPU in this version: a GPU is named, not planned on
    // (budget.gpu_bytes stays 0 until a GPU backend can take the weights).

    const engine::ModelInfo info = engine::summarize_model(*model);
    ModelFacts f;
    f.container = qs(info.container);
    f.files = static_cast<int>(info.files);
    f.fileBytes = info.file_bytes;
    const auto &c = info.config;
    f.architecture = qs(c.architecture);
    f.layers = static_cast<int>(c.n_layer);
    f.hasMtp = info.has_mtp;
    f.experts = static_cast<int>(c.n_expert);
    f.expertsUsed = static_cast<int>(c.n_expert_used);
    f.expertsShared = static_cast<int>(c.n_expert_shared);
    f.hiddenSize = static_cast<int>(c.n_embd);
    f.maxContext = c.context_length;
    f.parameters = p->footprints[0].n_params;
    f.moeLayers = static_cast<int>(p->footprints[0].expert_layer_bytes.size());
    for (const auto &[name, stats] : info.by_format)
        f.formats.append({qs(name), stats.bytes});
    f.hostMemoryBytes = p->budget.host_bytes;
    if (auto gpus = engine::cuda_device_infos(); gpus && !gpus->empty())
        f.gpuName = qs(gpus->front().name);
    f.gpuUsable = p->budget.gpu_bytes > 0;

    auto inspection = std::make_shared<ModelInspection>(std::move(p));
    inspection->m_facts = std::move(f);
    return inspection;
}

MemoryEstimate ModelInspection::estimate(const LoadOptions &options) const
{
    const auto &footprint = d->footprints[static_cast<std::size_t>(options.kvType)];
    const engine::PlacementPlan plan = engine::plan_placement(footprint, options.contextLength,
                                                              d->budget, options.gpuExpertLayers);
    MemoryEstimate e;
    e.fits = plan.fits;
    e.allOnGpu = plan.all_on_gpu;
    e.gpuExpertLayers = plan.gpu_expert_layers;
    e.gpuBytes = plan.gpu_bytes;
    e.hostBytes = plan.host_bytes;
    e.kvBytes = plan.kv_bytes;
    if (!plan.fits)
        e.advice = qs(engine::placement_advice(footprint, plan, options.contextLength, d->budget,
                                               engineKvType(options.kvType)));
    return e;
}

QString formatBytes(quint64 bytes)
{
    // A demo model's KV cache is a few MB: "0.0 GB" would say nothing.
    if (bytes < 1'000'000'000ull)
        return QString::number(static_cast<double>(bytes) / 1e6, 'f', 1) + u" MB"_s;
    return qs(engine::format_gigabytes(bytes));
}

} // namespace glmdesk::app
