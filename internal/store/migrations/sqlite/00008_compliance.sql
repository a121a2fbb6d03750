-- +goose Up
-- Meeting rules as data: how many activities of a type an organization of some kinds must
-- hold per period, with the rule's source. Rows without org_id are the national defaults
-- (《中国共产党支部工作条例（试行）》, 2018); a row with org_id overrides the rule of the same code
-- for that organization's subtree (the nearest one wins), or adds a local rule.
CREATE TABLE meeting_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT NOT NULL,              -- MTG-GA, MTG-CMT, ... or a local code
    org_id         INTEGER REFERENCES organizations(id),
    type_code      TEXT NOT NULL REFERENCES activity_types(code),
    period         TEXT NOT NULL,              -- month, quarter, year
    min_count      INTEGER NOT NULL DEFAULT 1,
    org_kinds      TEXT NOT NULL DEFAULT ',branch,', -- the kinds of organization it applies to
    applies_if     TEXT NOT NULL DEFAULT '',    -- '' or has_committee
    due_quarter    INTEGER NOT NULL DEFAULT 0,  -- a yearly rule usually met in this quarter (0: any)
    source         TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    effective_from TEXT NOT NULL DEFAULT '2018-10-28',
    enabled        INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL DEFAULT 0,
    updated_at     BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX meeting_rules_default ON meeting_rules(code) WHERE org_id IS NULL;
CREATE UNIQUE INDEX meeting_rules_org ON meeting_rules(org_id, code) WHERE org_id IS NOT NULL;
-- Compliance counts the activities an organization was invited to as an organization.
CREATE INDEX invitations_org ON invitations(org_id, activity_id);

INSERT INTO meeting_rules (code, type_code, period, min_count, org_kinds, applies_if, due_quarter, source, note, enabled) VALUES
 ('MTG-GA', 'general_meeting', 'quarter', 1, ',branch,', '', 0, '《中国共产党支部工作条例（试行）》（2018）', '支部党员大会一般每季度召开1次', '1'),
 ('MTG-CMT', 'committee_meeting', 'month', 1, ',branch,', 'has_committee', 0, '《中国共产党支部工作条例（试行）》（2018）第十二条', '支部委员会会议一般每月召开1次', '1'),
 ('MTG-GRP', 'group_meeting', 'month', 1, ',group,', '', 0, '《中国共产党支部工作条例（试行）》（2018）第十三条', '党小组会一般每月召开1次', '1'),
 ('MTG-LEC', 'party_lecture', 'quarter', 1, ',branch,', '', 0, '《中国共产党支部工作条例（试行）》（2018）：按时上党课；次数由地方规定', '全国条例未规定次数，请按本地规定启用并设置', '0'),
 ('DAY', 'theme_day', 'month', 1, ',branch,', '', 0, '《中国共产党支部工作条例（试行）》（2018）', '每月相对固定1天开展主题党日', '1'),
 ('OLM', 'life_meeting', 'year', 1, ',branch,', '', 4, '《中国共产党支部工作条例（试行）》（2018）', '组织生活会每年至少召开1次，一般安排在第四季度', '1'),
 ('EVAL', 'democratic_evaluation', 'year', 1, ',branch,', '', 0, '《中国共产党支部工作条例（试行）》（2018）', '民主评议党员一般每年开展1次', '1');

-- +goose Down
DROP INDEX invitations_org;
DROP TABLE meeting_rules;
