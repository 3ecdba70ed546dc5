CREATE TABLE answers (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    inspection TEXT GENERATED ALWAYS AS (data ->> '$.inspection') STORED
) STRICT;

CREATE TABLE cases (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    enterprise TEXT GENERATED ALWAYS AS (data ->> '$.enterprise') STORED
) STRICT;

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    fields TEXT NOT NULL,
    hlc TEXT NOT NULL,
    base_hlc TEXT,
    device_id TEXT NOT NULL,
    county_code TEXT,
    wall_ms INTEGER NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0 CHECK (acked IN (0, 1, 2)) -- 0 pending, 1 acknowledged, 2 refused
) STRICT;

CREATE TABLE check_items (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    industry TEXT GENERATED ALWAYS AS (data ->> '$.industry') VIRTUAL,
    module TEXT GENERATED ALWAYS AS (data ->> '$.module') VIRTUAL,
    major_hazard INTEGER GENERATED ALWAYS AS (data ->> '$.major_hazard') VIRTUAL
) STRICT;

CREATE VIRTUAL TABLE check_items_fts USING fts5(
    item, content, basis, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE conflicts (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    values_json TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, field, kind)
) STRICT;

CREATE TABLE divisions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('city', 'county', 'township')),
    parent_code TEXT REFERENCES divisions(code)
) STRICT;

CREATE TABLE document_types (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    inspection TEXT GENERATED ALWAYS AS (data ->> '$.inspection') STORED,
    "case" TEXT GENERATED ALWAYS AS (data ->> '$.case') STORED,
    number TEXT GENERATED ALWAYS AS (data ->> '$.number') STORED
) STRICT;

CREATE TABLE enterprises (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    credit_code TEXT GENERATED ALWAYS AS (data ->> '$.credit_code') STORED,
    name TEXT GENERATED ALWAYS AS (data ->> '$.name') VIRTUAL,
    supervision_category TEXT GENERATED ALWAYS AS (data ->> '$.supervision_category') VIRTUAL
) STRICT;

CREATE VIRTUAL TABLE enterprises_fts USING fts5(
    name, credit_code, address, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE evidence (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT GENERATED ALWAYS AS (data ->> '$.sha256') STORED,
    inspection TEXT GENERATED ALWAYS AS (data ->> '$.inspection') STORED
) STRICT;

CREATE TABLE evidence_files (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE hazards (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    enterprise TEXT GENERATED ALWAYS AS (data ->> '$.enterprise') STORED,
    inspection TEXT GENERATED ALWAYS AS (data ->> '$.inspection') STORED,
    status TEXT GENERATED ALWAYS AS (data ->> '$.status') VIRTUAL,
    deadline TEXT GENERATED ALWAYS AS (data ->> '$.deadline') STORED
) STRICT;

CREATE TABLE inspections (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    enterprise TEXT GENERATED ALWAYS AS (data ->> '$.enterprise') STORED,
    status TEXT GENERATED ALWAYS AS (data ->> '$.status') VIRTUAL
) STRICT;

CREATE TABLE laws (
    pk INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    short TEXT GENERATED ALWAYS AS (data ->> '$.short') VIRTUAL,
    article_no INTEGER GENERATED ALWAYS AS (data ->> '$.article_no') VIRTUAL
) STRICT;

CREATE VIRTUAL TABLE laws_fts USING fts5(
    title, text, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE number_blocks (
    lease_id TEXT PRIMARY KEY,
    doc_code TEXT NOT NULL,
    org_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    start_no INTEGER NOT NULL,
    end_no INTEGER NOT NULL,
    next_no INTEGER NOT NULL,
    CHECK (start_no <= next_no AND next_no <= end_no + 1)
) STRICT;

CREATE TABLE number_log (
    doc_code TEXT NOT NULL,
    org_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    document_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('issued', 'gap')),
    reason TEXT,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (doc_code, org_id, year, number)
) STRICT;

CREATE TABLE officers (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    cert_no TEXT GENERATED ALWAYS AS (data ->> '$.cert_no') STORED,
    org TEXT GENERATED ALWAYS AS (data ->> '$.org') VIRTUAL
) STRICT;

CREATE TABLE organisations (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    division_code TEXT GENERATED ALWAYS AS (data ->> '$.division_code') VIRTUAL
) STRICT;

CREATE TABLE plans (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    year INTEGER GENERATED ALWAYS AS (data ->> '$.year') VIRTUAL
) STRICT;

CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL,
    number TEXT,
    reprint INTEGER NOT NULL CHECK (reprint IN (0, 1)),
    printer TEXT NOT NULL,
    profile TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'done', 'failed')),
    bytes_total INTEGER NOT NULL DEFAULT 0,
    bytes_sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    officer TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE pull_staging (
    server_seq INTEGER NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
) STRICT;

CREATE TABLE tasks (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    plan TEXT GENERATED ALWAYS AS (data ->> '$.plan') STORED,
    enterprise TEXT GENERATED ALWAYS AS (data ->> '$.enterprise') STORED,
    month INTEGER GENERATED ALWAYS AS (data ->> '$.month') VIRTUAL
) STRICT;

CREATE TABLE trainings (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    hlc TEXT NOT NULL,
    county_code TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    officer TEXT GENERATED ALWAYS AS (data ->> '$.officer') STORED
) STRICT;

CREATE INDEX answers_inspection ON answers(inspection);

CREATE INDEX cases_enterprise ON cases(enterprise);

CREATE INDEX changes_entity ON changes(entity, entity_id);

CREATE INDEX changes_unacked ON changes(acked, seq);

CREATE INDEX check_items_module ON check_items(industry, module);

CREATE INDEX documents_case ON documents("case");

CREATE INDEX documents_inspection ON documents(inspection);

CREATE UNIQUE INDEX documents_number ON documents(number) WHERE number IS NOT NULL;

CREATE INDEX enterprises_county ON enterprises(county_code);

CREATE UNIQUE INDEX enterprises_credit_code ON enterprises(credit_code);

CREATE INDEX evidence_inspection ON evidence(inspection);

CREATE INDEX evidence_sha256 ON evidence(sha256);

CREATE INDEX hazards_deadline ON hazards(deadline);

CREATE INDEX hazards_enterprise ON hazards(enterprise);

CREATE INDEX inspections_enterprise ON inspections(enterprise);

CREATE INDEX laws_short ON laws(short, article_no);

CREATE INDEX number_blocks_key ON number_blocks(doc_code, org_id, year, start_no);

CREATE UNIQUE INDEX officers_cert_no ON officers(cert_no);

CREATE INDEX officers_org ON officers(org);

CREATE INDEX print_jobs_document ON print_jobs(document_id);

CREATE INDEX tasks_enterprise ON tasks(enterprise);

CREATE INDEX tasks_plan ON tasks(plan, month);

CREATE INDEX trainings_officer ON trainings(officer);

