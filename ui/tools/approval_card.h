// One tool call in the transcript. While the call waits for the user it is an approval card: the
// tool, its arguments, for write_file / edit_file the unified diff in a code view, and Allow once /
// Allow this tool for this conversation / Deny with an optional reason. Once decided it becomes the
// call's audit entry: tool, decision, a one-line summary of the result, the whole result behind a
// toggle and, for a write that can still be undone, an Undo button.
//
// The card only shows and asks: it emits decided() / undoRequested() and the owner (MainWindow,
// through app::ToolSession) acts and calls setRunning() / setRecord().
#pragma once

#include "app/conversation_store.h"

#include <QFrame>

class QLabel;
class QLineEdit;
class QPushButton;
class QToolButton;

namespace glmdesk::ui {

class CodeView;

class ApprovalCard : public QFrame
{
    Q_OBJECT
public:
    // A card asking for a decision (`diff`: the preview of a write; `diffError`: why there is
    // none).
    ApprovalCard(const app::ToolCallRecord &record, const QString &diff, const QString &diffError,
                 QWidget *parent = nullptr);
    // An audit entry for a call that needed no approval or is already done.
    explicit ApprovalCard(const app::ToolCallRecord &record, QWidget *parent = nullptr);

    qint64 recordId() const { return m_record.id; }
    const app::ToolCallRecord &record() const { return m_record; }
    bool isAsking() const { return m_asking; }
    // The diff shown (empty when none).
    QString diffText() const;
    CodeView *diffView() const { return m_diffView; }

    // The call runs (buttons gone, "Running…").
    void setRunning();
    // The call is done (or undone): the card is its audit entry.
    void setRecord(const app::ToolCallRecord &record, bool canUndo);

    // Plain-language names for a decision ("Allowed once").
    static QString decisionText(app::ToolDecision decision);

Q_SIGNALS:
    void decided(qint64 recordId, app::ToolDecision decision, const QString &reason);
    void undoRequested(qint64 recordId);

protected:
    void changeEvent(QEvent *event) override;

private:
    void build(const QString &diff, const QString &diffError);
    void retranslateUi();
    void decide(app::ToolDecision decision);
    QString argumentsSummary() const;

    app::ToolCallRecord m_record;
    bool m_asking = false;
    bool m_running = false;
    bool m_canUndo = false;
    QString m_diffError;

    QLabel *m_title = nullptr;
    QLabel *m_arguments = nullptr;
    QLabel *m_diffNote = nullptr;
    CodeView *m_diffView = nullptr;
    QWidget *m_askRow = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_allowOnce = nullptr;
    QPushButton *m_allowAlways = nullptr;
    QPushButton *m_deny = nullptr;
    QLabel *m_status = nullptr;
    QToolButton *m_resultToggle = nullptr;
    CodeView *m_resultView = nullptr;
    QPushButton *m_undo = nullptr;
};

} // namespace glmdesk::ui
