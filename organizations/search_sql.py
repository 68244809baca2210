"""The SQL functions that normalise text for search, created by migrations 0013 and 0016.

One normalisation serves the indexed document, the trigram name key and the query, so that
what is typed and what is stored meet in the same form and the GIN indexes can answer:

- ``gsx_search_normalise(text)``: lower case, accents removed (``unaccent``), Arabic
  diacritics (harakat U+064B-U+065F, the superscript alef U+0670, shadda among them) and tatweel
  removed; alef forms folded to bare alef, hamza on waw and ya to waw and ya (a reader types
  مسؤول, مسئول and مسوول alike), alef maqsura to ya, ta marbuta to ha, and Persian ya and kaf
  (ی ک, as typed in Dari, Pashto and Urdu) to their Arabic forms.
- ``gsx_search_stems(text)``: for each Arabic word of an already normalised text that starts
  with the article or an attached particle (وال بال كال فال لل ال, or و ف ب ك ل), the rest of
  the word when it has at least three letters. Both kinds are tried, so والسلام gives سلام
  and السلام; a wrong guess only adds a lexeme that matches nothing else.
- ``gsx_search_text(text)``: the normalised text followed by its stems: what is indexed.
- ``gsx_search_query_word(text)`` (no longer called; the search uses the next one): one typed
  word as a tsquery fragment: its normalised form or any of its stems, each a quoted prefix
  (``('النساء':* | 'نساء':*)``). Words are normalised *before* they are quoted: ``unaccent``
  turns some letters into tsquery syntax (Hausa's U+02BC into ``'``), which must end up inside
  the quotes.
- ``gsx_search_query_term(text, text)`` (``CREATE_TERMS``, migration 0016): the same fragment
  with another ending for each lexeme, one of the constants below: ``''`` (the whole word),
  ``':*'`` (a prefix), ``':A'``/``':*A'`` (the same, in the name or acronym only, which the
  document weighs A). The search takes its candidates with these, best kind first.

All are IMMUTABLE (their only dependency, ``gsx_unaccent``, names its dictionary) and plain SQL:
they run on the embedded PostgreSQL and on a server alike, with pg_trgm and unaccent only.
"""

# Written with escapes so that the file stays readable in any editor; the SQL gets the letters.
_FOLD_FROM = "\u0623\u0625\u0622\u0671\u0624\u0626\u0649\u0629\u06cc\u06a9"  # أإآٱؤئىةیک
_FOLD_TO = "\u0627\u0627\u0627\u0627\u0648\u064a\u064a\u0647\u064a\u0643"  # ااااوييهيك
# Arabic letters after normalisation (tatweel U+0640 excluded) and the extended letters.
_LETTER = "\u0621-\u063a\u0641-\u064a\u066e-\u06d3"
# وال بال كال فال لل ال
_ARTICLES = "|".join(
    [
        "\u0648\u0627\u0644",
        "\u0628\u0627\u0644",
        "\u0643\u0627\u0644",
        "\u0641\u0627\u0644",
        "\u0644\u0644",
        "\u0627\u0644",
    ]
)
_PARTICLES = "\u0648\u0641\u0628\u0643\u0644"  # و ف ب ك ل

# Only the constants above are interpolated: no value from outside reaches this SQL.
CREATE = f"""
CREATE OR REPLACE FUNCTION gsx_search_normalise(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT translate(
    regexp_replace(public.gsx_unaccent(lower($1)), '[\\u064b-\\u065f\\u0670\\u0640]', '', 'g'),
    '{_FOLD_FROM}', '{_FOLD_TO}') $$;

CREATE OR REPLACE FUNCTION gsx_search_stems(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT concat_ws(' ',
    (SELECT string_agg(m[1], ' ') FROM regexp_matches(
        $1, '(?:^|[^{_LETTER}])(?:{_ARTICLES})([{_LETTER}]{{3,}})', 'g') AS m),
    (SELECT string_agg(m[1], ' ') FROM regexp_matches(
        $1, '(?:^|[^{_LETTER}])[{_PARTICLES}]([{_LETTER}]{{3,}})', 'g') AS m)) $$;

CREATE OR REPLACE FUNCTION gsx_search_text(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT concat_ws(' ', n, public.gsx_search_stems(n))
      FROM (SELECT public.gsx_search_normalise($1) AS n) AS normalised $$;

CREATE OR REPLACE FUNCTION gsx_search_quote(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT chr(39) || replace(replace($1, chr(92), chr(92) || chr(92)),
                                chr(39), chr(39) || chr(39)) || chr(39) || ':*' $$;

CREATE OR REPLACE FUNCTION gsx_search_query_word(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT '(' || concat_ws(' | ', public.gsx_search_quote(n),
          (SELECT string_agg(public.gsx_search_quote(stem), ' | ')
             FROM regexp_split_to_table(public.gsx_search_stems(n), ' ') AS stem
            WHERE stem <> '')) || ')'
      FROM (SELECT public.gsx_search_normalise($1) AS n) AS normalised $$;
"""  # noqa: S608

# The endings of a query term (tsquery syntax after a quoted lexeme).
WHOLE_WORD, PREFIX, WHOLE_WORD_IN_NAME, PREFIX_IN_NAME = "", ":*", ":A", ":*A"

CREATE_TERMS = """
CREATE OR REPLACE FUNCTION gsx_search_lexeme(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT chr(39) || replace(replace($1, chr(92), chr(92) || chr(92)),
                                chr(39), chr(39) || chr(39)) || chr(39) $$;

CREATE OR REPLACE FUNCTION gsx_search_query_term(text, text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT '(' || concat_ws(' | ', public.gsx_search_lexeme(n) || $2,
          (SELECT string_agg(public.gsx_search_lexeme(stem) || $2, ' | ')
             FROM regexp_split_to_table(public.gsx_search_stems(n), ' ') AS stem
            WHERE stem <> '')) || ')'
      FROM (SELECT public.gsx_search_normalise($1) AS n) AS normalised $$;
"""

DROP_TERMS = """
DROP FUNCTION IF EXISTS gsx_search_query_term(text, text);
DROP FUNCTION IF EXISTS gsx_search_lexeme(text);
"""

DROP = """
DROP FUNCTION IF EXISTS gsx_search_query_word(text);
DROP FUNCTION IF EXISTS gsx_search_quote(text);
DROP FUNCTION IF EXISTS gsx_search_text(text);
DROP FUNCTION IF EXISTS gsx_search_stems(text);
DROP FUNCTION IF EXISTS gsx_search_normalise(text);
"""
