#include "ui/tools/approval_card.h"

#include "ui/code/code_view.h"
#include "ui/code/highlighting.h"

#include <KSyntaxHighlighting/Repository>

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {

// A diff longer than this is cut in the card: the card is for deciding, not for reading a
// whole rewritten file.
constexpr qsizetype kMaxDiffLines = 400;
constexpr qsizetype kMaxArgumentChars = 160;
constexpr qsizetype kMaxResultChars = 64 * 1024;

QString cutLines(const QString &text, qsizetype maxLines, qsizetype *cut)
{
    qsizetype pos = 0;
    for (qsizetype line = 0; line < maxLines; ++line) {
        pos = text.indexOf(u'\n', pos);
        if (pos < 0) {
            *cut = 0;
            return text;
        }
        ++pos;
    }
    *cut = text.mid(pos).count(u'\n') + 1;
    return text.left(pos);
}

QString oneLine(const QString &text, qsizetype maxChars)
{
    QString line = text.simplified();
    if (line.size() > maxChars)
        line = line.left(maxChars - 1) + u'…';
    return line;
}

} // namespace

ApprovalCard::ApprovalCard(const app::ToolCallRecord &record, const QString &diff,
                           const QString &diffError, QWidget *parent)
    : QFrame(parent), m_record(record), m_asking(true), m_diffError(diffError)
{
    build(diff, diffError);
}

ApprovalCard::ApprovalCard(const app::ToolCallRecord &record, QWidget *parent)
    : QFrame(parent), m_record(record)
{
    build(record.diff, {});
    m_running = !record.finished.isValid();
    retranslateUi();
}

void ApprovalCard::build(const QString &diff, const QString &diffError)
{
    setObjectName(u"toolCard"_s);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(6);

    m_title = new QLabel(this);
    m_title->setObjectName(u"toolCardTitle"_s);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setTextFormat(Qt::PlainText);
    layout->addWidget(m_title);

    m_arguments = new QLabel(this);
    m_arguments->setObjectName(u"toolCardArguments"_s);
    m_arguments->setTextFormat(Qt::PlainText);
    m_arguments->setWordWrap(true);
    m_arguments->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_arguments->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_arguments);

    m_diffNote = new QLabel(this);
    m_diffNote->setObjectName(u"toolCardDiffNote"_s);
    m_diffNote->setWordWrap(true);
    m_diffNote->setTextFormat(Qt::PlainText);
    layout->addWidget(m_diffNote);
    if (!diff.isEmpty()) {
        m_diffView = new CodeView(CodeView::Sizing::FitContents, this);
        m_diffView->setObjectName(u"toolCardDiff"_s);
        m_diffView->setDefinition(syntaxRepository().definitionForName(u"Diff"_s));
        qsizetype cut = 0;
        QString shown = cutLines(diff, kMaxDiffLines, &cut);
        if (cut > 0)
            shown += tr("… %n more line(s)", nullptr, static_cast<int>(cut));
        m_diffView->setCode(shown);
        layout->addWidget(m_diffView);
    }
    m_diffNote->setVisible(!diff.isEmpty() || !diffError.isEmpty());

    m_askRow = new QWidget(this);
    auto *ask = new QHBoxLayout(m_askRow);
    ask->setContentsMargins(0, 0, 0, 0);
    m_reason = new QLineEdit(m_askRow);
    m_reason->setObjectName(u"toolCardReason"_s);
    m_allowOnce = new QPushButton(m_askRow);
    m_allowOnce->setObjectName(u"toolCardAllowOnce"_s);
    m_allowAlways = new QPushButton(m_askRow);
    m_allowAlways->setObjectName(u"toolCardAllowConversation"_s);
    m_deny = new QPushButton(m_askRow);
    m_deny->setObjectName(u"toolCardDeny"_s);
    ask->addWidget(m_reason, 1);
    ask->addWidget(m_deny);
    ask->addWidget(m_allowAlways);
    ask->addWidget(m_allowOnce);
    m_allowOnce->setDefault(true);
    layout->addWidget(m_askRow);
    m_askRow->setVisible(m_asking);
    connect(m_allowOnce, &QPushButton::clicked, this,
            [this] { decide(app::ToolDecision::AllowedOnce); });
    connect(m_allowAlways, &QPushButton::clicked, this,
            [this] { decide(app::ToolDecision::AllowedConversation); });
    connect(m_deny, &QPushButton::clicked, this, [this] { decide(app::ToolDecision::Denied); });
    connect(m_reason, &QLineEdit::returnPressed, this,
            [this] { decide(app::ToolDecision::Denied); });

    m_status = new QLabel(this);
    m_status->setObjectName(u"toolCardStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *resultRow = new QHBoxLayout;
    resultRow->setContentsMargins(0, 0, 0, 0);
    m_resultToggle = new QToolButton(this);
    m_resultToggle->setObjectName(u"toolCardResultToggle"_s);
    m_resultToggle->setCheckable(true);
    m_resultToggle->setAutoRaise(true);
    m_resultToggle->setArrowType(Qt::RightArrow);
    m_resultToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_undo = new QPushButton(this);
    m_undo->setObjectName(u"toolCardUndo"_s);
    resultRow->addWidget(m_status, 1);
    resultRow->addWidget(m_resultToggle);
    resultRow->addWidget(m_undo);
    layout->addLayout(resultRow);
    m_resultView = new CodeView(CodeView::Sizing::FitContents, this);
    m_resultView->setObjectName(u"toolCardResult"_s);
    m_resultView->hide();
    layout->addWidget(m_resultView);
    connect(m_resultToggle, &QToolButton::toggled, this, [this](bool open) {
        m_resultToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        if (open && m_resultView->code().isEmpty()) {
            QString text = m_record.resultText;
            if (text.size() > kMaxResultChars)
                text = text.left(kMaxResultChars) + u"\n…"_s;
            m_resultView->setCode(text);
        }
        m_resultView->setVisible(open);
    });
    connect(m_undo, &QPushButton::clicked, this, [this] { Q_EMIT undoRequested(m_record.id); });

    retranslateUi();
}

QString ApprovalCard::diffText() const
{
    return m_diffView ? m_diffView->code() : QString();
}

void ApprovalCard::decide(app::ToolDecision decision)
{
    if (!m_asking)
        return;
    const QString reason =
        decision == app::ToolDecision::Denied ? m_reason->text().trimmed() : QString();
    // The buttons go at once: a second click must not decide twice.
    m_asking = false;
    m_askRow->hide();
    m_record.decision = decision;
    m_record.reason = reason;
    retranslateUi();
    Q_EMIT decided(m_record.id, decision, reason);
}

void ApprovalCard::setRunning()
{
    m_asking = false;
    m_running = true;
    m_askRow->hide();
    retranslateUi();
}

void ApprovalCard::setRecord(const app::ToolCallRecord &record, bool canUndo)
{
    m_record = record;
    m_asking = false;
    m_running = false;
    m_canUndo = canUndo;
    m_askRow->hide();
    if (!m_resultView->code().isEmpty() || m_resultToggle->isChecked()) {
        m_resultView->setCode(m_record.resultText.left(kMaxResultChars));
    }
    retranslateUi();
}

QString ApprovalCard::decisionText(app::ToolDecision decision)
{
    switch (decision) {
    case app::ToolDecision::Pending:
        return tr("Waiting for your approval");
    case app::ToolDecision::AllowedOnce:
        return tr("Allowed once");
    case app::ToolDecision::AllowedConversation:
        return tr("Allowed for this conversation");
    case app::ToolDecision::Auto:
        return tr("Allowed automatically");
    case app::ToolDecision::Denied:
        return tr("Denied");
    }
    return {};
}

QString ApprovalCard::argumentsSummary() const
{
    const QJsonDocument doc = QJsonDocument::fromJson(m_record.argumentsJson.toUtf8());
    if (!doc.isObject())
        return oneLine(m_record.argumentsJson, kMaxArgumentChars * 2);
    QStringList lines;
    const QJsonObject args = doc.object();
    for (auto it = args.begin(); it != args.end(); ++it) {
        QString value;
        if (it.value().isString()) {
            const QString s = it.value().toString();
            // A file's whole new content is in the diff; here it is only its size.
            if (s.contains(u'\n') && m_diffView)
                value = tr("(%n line(s), shown in the diff)", nullptr,
                           static_cast<int>(s.count(u'\n') + 1));
            else
                value = oneLine(s, kMaxArgumentChars);
        } else {
            const QJsonValue v = it.value();
            value = oneLine(
                QString::fromUtf8(
                    v.isArray()    ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                    : v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
                                   : v.toVariant().toString().toUtf8()),
                kMaxArgumentChars);
        }
        lines.append(it.key() + u": "_s + value);
    }
    return lines.join(u'\n');
}

void ApprovalCard::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QFrame::changeEvent(event);
}

void ApprovalCard::retranslateUi()
{
    const bool done = m_record.finished.isValid();
    if (m_asking)
        m_title->setText(tr("GLM wants to use %1").arg(m_record.tool));
    else
        m_title->setText(tr("%1 · %2").arg(m_record.tool, decisionText(m_record.decision)));
    setAccessibleName(tr("Tool call %1").arg(m_record.tool));
    m_arguments->setText(argumentsSummary());
    m_arguments->setVisible(!m_arguments->text().isEmpty());
    if (!m_diffError.isEmpty() && !m_diffView)
        m_diffNote->setText(tr("No preview of the change: %1").arg(m_diffError));
    else
        m_diffNote->setText(m_asking ? tr("The change it would make:") : tr("The change:"));

    m_reason->setPlaceholderText(tr("Reason for denying (optional, sent to the model)"));
    m_reason->setAccessibleName(tr("Reason for denying"));
    m_allowOnce->setText(tr("Allow once"));
    m_allowOnce->setAccessibleName(tr("Allow this call once"));
    m_allowAlways->setText(tr("Allow %1 for this conversation").arg(m_record.tool));
    m_allowAlways->setAccessibleName(
        tr("Allow %1 without asking for the rest of this conversation").arg(m_record.tool));
    m_deny->setText(tr("Deny"));
    m_deny->setAccessibleName(tr("Deny this call"));

    QString status;
    if (m_asking) {
        status.clear();
    } else if (m_running && !done) {
        status = tr("Running…");
    } else if (done && m_record.decision == app::ToolDecision::Denied) {
        status = m_record.reason.isEmpty() ? tr("Not run.")
                                           : tr("Not run: %1").arg(oneLine(m_record.reason, 200));
    } else if (done) {
        const QString first = m_record.resultText.section(u'\n', 0, 0, QString::SectionSkipEmpty);
        status = (m_record.ok ? tr("Done: %1") : tr("Failed: %1")).arg(oneLine(first, 200));
        if (m_record.undone)
            status += u' ' + tr("(undone)");
    }
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
    const bool showResult =
        done && m_record.decision != app::ToolDecision::Denied && !m_record.resultText.isEmpty();
    m_resultToggle->setText(tr("Result"));
    m_resultToggle->setAccessibleName(tr("Show the whole result"));
    m_resultToggle->setVisible(showResult);
    m_undo->setText(tr("Undo"));
    m_undo->setAccessibleName(tr("Undo this change"));
    m_undo->setVisible(done && m_canUndo && !m_record.undone);
}

} // namespace glmdesk::ui
