/*
 * raw_sqlite: the raw SQLite C-API baselines Docket's store is measured against.
 *
 *   raw_sqlite insert --schema F [--schema F ...] [--preload K] [--limit L] (--txn-cases C | --txn-rows R) SRC DST
 *       Reads every row of SRC's events table into memory (not timed), creates DST with the
 *       schema files (Migrations/NNNN_name.sql), WAL and synchronous=FULL like Docket's store, inserts
 *       the first K rows in one transaction (not timed), then the rest (timed): one
 *       BEGIN IMMEDIATE ... COMMIT per C cases (a case's rows are contiguous in SRC, as the
 *       simulator appends them) or per R rows (R=1: one durable insert per transaction). With
 *       --limit, only SRC's first L rows are used.
 *       Prints one JSON line: {"rows":N,"seconds":S,"rows_per_s":X}.
 *
 *   raw_sqlite one SRC DST POSITION
 *       One durable insert in a process of its own: opens DST (schema already there), inserts
 *       SRC's row at POSITION in one transaction, closes. The whole-process baseline of
 *       `docket fire`.
 *
 *   raw_sqlite scan DB
 *       Steps through SELECT * FROM events ORDER BY position, reading every column; the floor
 *       under any replay. Prints {"rows":N,"seconds":S,"rows_per_s":X,"bytes":B}.
 *
 * Build: cc -O2 -o raw_sqlite raw_sqlite.c -lsqlite3
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define COLUMNS 14
/* The text columns of events, by index in the column list below. */
static const int is_text[COLUMNS] = {0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1};
static const char *select_sql =
    "SELECT position, case_id, version, type, workflow_id, workflow_version, payload, actor, role, "
    "on_behalf_of, occurred_at, recorded_at, prev_hash, hash FROM events ORDER BY position";
static const char *insert_sql =
    "INSERT INTO events (position, case_id, version, type, workflow_id, workflow_version, payload, "
    "actor, role, on_behalf_of, occurred_at, recorded_at, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

typedef struct {
    int64_t ints[COLUMNS];
    char *texts[COLUMNS]; /* NULL for SQL NULL */
    int lengths[COLUMNS];
} row_t;

static void die(sqlite3 *db, const char *what) {
    fprintf(stderr, "raw_sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* User + system CPU time of this process. */
static double cpu_s(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 + (double)usage.ru_stime.tv_sec +
           (double)usage.ru_stime.tv_usec / 1e6;
}

static void exec(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "raw_sqlite: %s\n  in: %.200s\n", error, sql);
        exit(1);
    }
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size) { perror(path); exit(1); }
    text[size] = 0;
    fclose(f);
    return text;
}

/* Docket's store: WAL journal, synchronous=FULL on the writer, foreign keys on, busy timeout. */
static sqlite3 *open_like_docket(const char *path) {
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) die(db, path);
    sqlite3_busy_timeout(db, 5000);
    exec(db, "PRAGMA journal_mode = WAL");
    exec(db, "PRAGMA synchronous = FULL");
    exec(db, "PRAGMA foreign_keys = ON");
    return db;
}

/* Reads SRC's events in position order, a chunk at a time, so a log of any size fits in memory. */
typedef struct {
    sqlite3 *db;
    sqlite3_stmt *select;
    row_t pending; /* a row read but not yet handed out */
    int has_pending;
    int done;
} source_t;

static void source_open(source_t *source, const char *path, const char *where) {
    memset(source, 0, sizeof *source);
    if (sqlite3_open_v2(path, &source->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) die(source->db, path);
    char sql[1024];
    snprintf(sql, sizeof sql, "%s", select_sql);
    if (where) {
        snprintf(sql, sizeof sql,
                 "SELECT position, case_id, version, type, workflow_id, workflow_version, payload, actor, role, "
                 "on_behalf_of, occurred_at, recorded_at, prev_hash, hash FROM events %s",
                 where);
    }
    if (sqlite3_prepare_v2(source->db, sql, -1, &source->select, NULL) != SQLITE_OK) die(source->db, "prepare select");
}

/* The next row of SRC into *row; 0 at the end. */
static int source_next(source_t *source, row_t *row) {
    if (source->has_pending) {
        *row = source->pending;
        source->has_pending = 0;
        return 1;
    }
    if (source->done) return 0;
    int rc = sqlite3_step(source->select);
    if (rc == SQLITE_DONE) {
        source->done = 1;
        return 0;
    }
    if (rc != SQLITE_ROW) die(source->db, "select");
    for (int c = 0; c < COLUMNS; c++) {
        row->texts[c] = NULL;
        row->ints[c] = 0;
        row->lengths[c] = 0;
        if (sqlite3_column_type(source->select, c) == SQLITE_NULL) continue;
        if (is_text[c]) {
            int length = sqlite3_column_bytes(source->select, c);
            row->texts[c] = malloc((size_t)length + 1);
            memcpy(row->texts[c], sqlite3_column_text(source->select, c), (size_t)length + 1);
            row->lengths[c] = length;
        } else {
            row->ints[c] = sqlite3_column_int64(source->select, c);
        }
    }
    return 1;
}

static void source_push_back(source_t *source, const row_t *row) {
    source->pending = *row;
    source->has_pending = 1;
}

static void source_close(source_t *source) {
    sqlite3_finalize(source->select);
    sqlite3_close(source->db);
}

static void free_rows(row_t *rows, int64_t count) {
    for (int64_t i = 0; i < count; i++)
        for (int c = 0; c < COLUMNS; c++) free(rows[i].texts[c]);
}

static void insert_row(sqlite3 *db, sqlite3_stmt *insert, const row_t *row) {
    for (int c = 0; c < COLUMNS; c++) {
        if (is_text[c]) {
            if (row->texts[c])
                sqlite3_bind_text(insert, c + 1, row->texts[c], row->lengths[c], SQLITE_STATIC);
            else
                sqlite3_bind_null(insert, c + 1);
        } else {
            sqlite3_bind_int64(insert, c + 1, row->ints[c]);
        }
    }
    if (sqlite3_step(insert) != SQLITE_DONE) die(db, "insert");
    sqlite3_reset(insert);
}

static int insert_main(int argc, char **argv) {
    const char *schemas[16];
    int schema_count = 0;
    int64_t preload = 0, txn_cases = 0, txn_rows = 0, limit = -1;
    const char *paths[2];
    int path_count = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--schema") && i + 1 < argc && schema_count < 16) schemas[schema_count++] = argv[++i];
        else if (!strcmp(argv[i], "--preload") && i + 1 < argc) preload = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--txn-cases") && i + 1 < argc) txn_cases = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--txn-rows") && i + 1 < argc) txn_rows = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--limit") && i + 1 < argc) limit = atoll(argv[++i]);
        else if (path_count < 2) paths[path_count++] = argv[i];
        else { fprintf(stderr, "raw_sqlite: unexpected argument %s\n", argv[i]); return 64; }
    }
    if (path_count != 2 || schema_count == 0 || (txn_cases <= 0) == (txn_rows <= 0)) {
        fprintf(stderr, "usage: raw_sqlite insert --schema F... [--preload K] [--limit L] (--txn-cases C | --txn-rows R) SRC DST\n");
        return 64;
    }
    source_t source;
    source_open(&source, paths[0], NULL);

    remove(paths[1]);
    char side[4096];
    snprintf(side, sizeof side, "%s-wal", paths[1]); remove(side);
    snprintf(side, sizeof side, "%s-shm", paths[1]); remove(side);
    sqlite3 *db = open_like_docket(paths[1]);
    for (int i = 0; i < schema_count; i++) {
        char *sql = read_file(schemas[i]);
        exec(db, "BEGIN IMMEDIATE");
        exec(db, sql);
        exec(db, "COMMIT");
        free(sql);
    }
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v3(db, insert_sql, -1, SQLITE_PREPARE_PERSISTENT, &insert, NULL) != SQLITE_OK) die(db, "prepare insert");

    /* Rows are read a chunk at a time (not timed), each chunk a whole number of transactions. */
    const int64_t chunk_rows = 500000;
    int64_t capacity = chunk_rows + 1;
    row_t *rows = malloc(sizeof(row_t) * (size_t)capacity);
    int64_t read = 0, timed = 0;
    row_t row;
    if (preload > 0) {
        int64_t n = 0;
        while (n < preload && (limit < 0 || read < limit) && source_next(&source, &row)) { rows[n++] = row; read++; }
        exec(db, "BEGIN IMMEDIATE");
        for (int64_t i = 0; i < n; i++) insert_row(db, insert, &rows[i]);
        exec(db, "COMMIT");
        free_rows(rows, n);
    }
    double seconds = 0, cpu_seconds = 0;
    char last_case[4096] = "";
    for (;;) {
        /* Read one chunk: whole transactions, up to about chunk_rows rows. */
        int64_t n = 0, txn_starts[1 << 16], txn_count = 0, cases_in_txn = 0, rows_in_txn = 0;
        while ((limit < 0 || read < limit) && source_next(&source, &row)) {
            int new_case = strcmp(row.texts[1], last_case) != 0;
            int new_txn = txn_count == 0 || (txn_rows > 0 ? rows_in_txn == txn_rows : (new_case && cases_in_txn == txn_cases));
            if (new_txn && (n >= chunk_rows || txn_count == (1 << 16))) {
                source_push_back(&source, &row);
                break;
            }
            if (new_txn) {
                txn_starts[txn_count++] = n;
                cases_in_txn = 0;
                rows_in_txn = 0;
            }
            if (new_case) {
                cases_in_txn++;
                snprintf(last_case, sizeof last_case, "%s", row.texts[1]);
            }
            rows_in_txn++;
            if (n == capacity) {  /* the chunk's last transaction runs past chunk_rows */
                capacity *= 2;
                rows = realloc(rows, sizeof(row_t) * (size_t)capacity);
            }
            rows[n++] = row;
            read++;
        }
        if (n == 0) break;
        double start = now_s(), cpu_start = cpu_s();
        for (int64_t t = 0; t < txn_count; t++) {
            int64_t end = t + 1 < txn_count ? txn_starts[t + 1] : n;
            exec(db, "BEGIN IMMEDIATE");
            for (int64_t i = txn_starts[t]; i < end; i++) insert_row(db, insert, &rows[i]);
            exec(db, "COMMIT");
        }
        seconds += now_s() - start;
        cpu_seconds += cpu_s() - cpu_start;
        timed += n;
        free_rows(rows, n);
    }
    free(rows);
    source_close(&source);
    sqlite3_finalize(insert);
    if (sqlite3_close(db) != SQLITE_OK) die(db, "close");
    printf("{\"rows\":%lld,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"rows_per_s\":%.1f}\n", (long long)timed, seconds,
           cpu_seconds, seconds > 0 ? (double)timed / seconds : 0.0);
    return 0;
}

static int one_main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: raw_sqlite one SRC DST POSITION\n");
        return 64;
    }
    char where[128];
    snprintf(where, sizeof where, "WHERE position = %lld", atoll(argv[4]));
    source_t source;
    row_t row;
    source_open(&source, argv[2], where);
    if (!source_next(&source, &row)) { fprintf(stderr, "raw_sqlite: no row at position %s in %s\n", argv[4], argv[2]); return 1; }
    source_close(&source);
    sqlite3 *db = open_like_docket(argv[3]);
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v2(db, insert_sql, -1, &insert, NULL) != SQLITE_OK) die(db, "prepare insert");
    exec(db, "BEGIN IMMEDIATE");
    insert_row(db, insert, &row);
    exec(db, "COMMIT");
    sqlite3_finalize(insert);
    if (sqlite3_close(db) != SQLITE_OK) die(db, "close");
    return 0;
}

static int scan_main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: raw_sqlite scan DB\n");
        return 64;
    }
    sqlite3 *db;
    if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) die(db, argv[2]);
    double start = now_s(), cpu_start = cpu_s();
    sqlite3_stmt *select;
    if (sqlite3_prepare_v2(db, select_sql, -1, &select, NULL) != SQLITE_OK) die(db, "prepare select");
    int64_t rows = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        rows++;
        for (int c = 0; c < COLUMNS; c++) {
            if (is_text[c]) {
                const unsigned char *text = sqlite3_column_text(select, c);
                if (text) bytes += sqlite3_column_bytes(select, c) + text[0];
            } else {
                sum += sqlite3_column_int64(select, c);
            }
        }
    }
    if (rc != SQLITE_DONE) die(db, "scan");
    sqlite3_finalize(select);
    double seconds = now_s() - start, cpu_seconds = cpu_s() - cpu_start;
    sqlite3_close(db);
    printf("{\"rows\":%lld,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"rows_per_s\":%.1f,\"bytes\":%lld,\"checksum\":%lld}\n",
           (long long)rows, seconds, cpu_seconds, seconds > 0 ? (double)rows / seconds : 0.0, (long long)bytes, (long long)sum);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "insert")) return insert_main(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "one")) return one_main(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "scan")) return scan_main(argc, argv);
    fprintf(stderr, "usage: raw_sqlite (insert | one | scan) ...  (see the comment at the top of raw_sqlite.c)\n");
    return 64;
}
