-- A unit's own grade (机构规格) besides its administrative level, and whether it is a dispatched body (派出机构) or a
-- directly affiliated institution (直属事业单位): note 2 of the 2014 office-space standard makes such bodies use the
-- rows of their own grade (docs/domain/office-space.md §Table 1 · 办公室使用面积; issue 11 item 1).
ALTER TABLE orgs ADD COLUMN grade TEXT NOT NULL DEFAULT '' CHECK (grade IN ('', 'ministry', 'bureau', 'division', 'section'));
ALTER TABLE orgs ADD COLUMN affiliation TEXT NOT NULL DEFAULT '' CHECK (affiliation IN ('', 'dispatched', 'affiliated_institution'));
