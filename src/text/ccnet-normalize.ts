/**
 * CCNet's text normalisation before its perplexity model (cc_net/text_normalizer.py
 * `normalize` with its defaults): strip, lower-case, strip accents (NFD, drop Mn), every
 * Unicode digit → 0, CJK/fullwidth punctuation mapped to ASCII, control characters removed.
 */
const UNICODE_PUNCT: Record<string, string> = {
  "，": ",", "。": ".", "、": ",", "„": '"', "”": '"', "“": '"', "«": '"', "»": '"', "１": '"', "」": '"', "「": '"', "《": '"', "》": '"',
  "´": "'", "∶": ":", "：": ":", "？": "?", "！": "!", "（": "(", "）": ")", "；": ";", "–": "-", "—": " - ", "．": ". ", "～": "~",
  "’": "'", "…": "...", "━": "-", "〈": "<", "〉": ">", "【": "[", "】": "]", "％": "%", "►": "-",
};
const PUNCT_RE = new RegExp(`[${Object.keys(UNICODE_PUNCT).join("")}]`, "gu");
const MN_RE = /\p{Mn}/gu;
const DIGIT_RE = /\p{Nd}/gu;
// eslint-disable-next-line no-control-regex -- CCNet removes C0 and C1 control characters
const NON_PRINTING_RE = /[\u0000-\u001f\u007f-\u009f]/g;
// Python's str.strip() whitespace: JavaScript's plus \x1c-\x1f and \x85
// eslint-disable-next-line no-control-regex -- Python counts \x1c-\x1f as whitespace
const STRIP_RE = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

export function ccnetNormalize(line: string): string {
  let s = line.replace(STRIP_RE, "");
  if (!s) return s;
  s = s.toLowerCase().normalize("NFD").replace(MN_RE, "").replace(DIGIT_RE, "0");
  s = s.replace(PUNCT_RE, (c) => UNICODE_PUNCT[c]!);
  return s.replace(NON_PRINTING_RE, "");
}
