// The local duplicate key of a captured row: (platform, profile) the way the CRM keys leads —
// Instagram/LinkedIn handles are case-insensitive, Facebook ids and vanity names too.

export function leadKey(row) {
  const platform = row.platform || "other";
  if (row.username) return `${platform}:${String(row.username).toLowerCase()}`;
  if (row.profile_url) {
    try {
      const url = new URL(row.profile_url);
      const id = url.searchParams.get("id");
      const path = url.pathname.replace(/\/+$/, "").toLowerCase();
      return `${platform}:${url.hostname.replace(/^www\./, "")}${path}${id ? `?id=${id}` : ""}`;
    } catch (_e) {
      return `${platform}:${String(row.profile_url).toLowerCase()}`;
    }
  }
  return `${platform}:${(row.full_name || "").toLowerCase()}`;
}
