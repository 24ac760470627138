"""The 54 GTEx v8 tissues: identifiers, names, portal colours, ontology IDs and sample counts.

Facts from the GTEx portal (v8 release). ``rna_seq_samples`` and ``genotyped_samples`` are the
v8 RNA-seq and RNA-seq-with-WGS sample counts; the simulator draws samples in proportion to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by tissue_table only: `import genotex` stays light
    import pandas as pd


@dataclass(frozen=True)
class Tissue:
    """One GTEx tissue (``tissueSiteDetailId`` in the GTEx API)."""

    tissue_site_detail_id: str
    tissue_site_detail: str
    tissue_site: str
    abbreviation: str
    color_hex: str
    ontology_id: str
    rna_seq_samples: int
    genotyped_samples: int
    egene_count: int
    sgene_count: int


TISSUES: tuple[Tissue, ...] = (
    Tissue('Adipose_Subcutaneous', 'Adipose - Subcutaneous', 'Adipose Tissue', 'ADPSBQ', '#FF6600', 'UBERON:0002190', 663, 581, 15607, 5113),
    Tissue('Adipose_Visceral_Omentum', 'Adipose - Visceral (Omentum)', 'Adipose Tissue', 'ADPVSC', '#FFAA00', 'UBERON:0010414', 541, 469, 12482, 4210),
    Tissue('Adrenal_Gland', 'Adrenal Gland', 'Adrenal Gland', 'ADRNLG', '#33DD33', 'UBERON:0002369', 258, 233, 8123, 2369),
    Tissue('Artery_Aorta', 'Artery - Aorta', 'Blood Vessel', 'ARTAORT', '#FF5555', 'UBERON:0001496', 432, 387, 12493, 3740),
    Tissue('Artery_Coronary', 'Artery - Coronary', 'Blood Vessel', 'ARTCRN', '#FFAA99', 'UBERON:0001621', 240, 213, 6296, 2140),
    Tissue('Artery_Tibial', 'Artery - Tibial', 'Blood Vessel', 'ARTTBL', '#FF0000', 'UBERON:0007610', 663, 584, 15008, 4791),
    Tissue('Bladder', 'Bladder', 'Bladder', 'BLDDER', '#AA0000', 'UBERON:0001255', 21, 21, 0, 0),
    Tissue('Brain_Amygdala', 'Brain - Amygdala', 'Brain', 'BRNAMY', '#EEEE00', 'UBERON:0001876', 152, 129, 3726, 892),
    Tissue('Brain_Anterior_cingulate_cortex_BA24', 'Brain - Anterior cingulate cortex (BA24)', 'Brain', 'BRNACC', '#EEEE00', 'UBERON:0009835', 176, 147, 5640, 1238),
    Tissue('Brain_Caudate_basal_ganglia', 'Brain - Caudate (basal ganglia)', 'Brain', 'BRNCDT', '#EEEE00', 'UBERON:0001873', 246, 194, 8362, 1809),
    Tissue('Brain_Cerebellar_Hemisphere', 'Brain - Cerebellar Hemisphere', 'Brain', 'BRNCHB', '#EEEE00', 'UBERON:0002037', 215, 175, 10027, 2397),
    Tissue('Brain_Cerebellum', 'Brain - Cerebellum', 'Brain', 'BRNCHA', '#EEEE00', 'UBERON:0002037', 241, 209, 11240, 2786),
    Tissue('Brain_Cortex', 'Brain - Cortex', 'Brain', 'BRNCTXA', '#EEEE00', 'UBERON:0001870', 255, 205, 9082, 2048),
    Tissue('Brain_Frontal_Cortex_BA9', 'Brain - Frontal Cortex (BA9)', 'Brain', 'BRNCTXB', '#EEEE00', 'UBERON:0009834', 209, 175, 7335, 1684),
    Tissue('Brain_Hippocampus', 'Brain - Hippocampus', 'Brain', 'BRNHPP', '#EEEE00', 'UBERON:0001954', 197, 165, 5517, 1185),
    Tissue('Brain_Hypothalamus', 'Brain - Hypothalamus', 'Brain', 'BRNHPT', '#EEEE00', 'UBERON:0001898', 202, 170, 5499, 1414),
    Tissue('Brain_Nucleus_accumbens_basal_ganglia', 'Brain - Nucleus accumbens (basal ganglia)', 'Brain', 'BRNNCC', '#EEEE00', 'UBERON:0001882', 246, 202, 8198, 1881),
    Tissue('Brain_Putamen_basal_ganglia', 'Brain - Putamen (basal ganglia)', 'Brain', 'BRNPTM', '#EEEE00', 'UBERON:0001874', 205, 170, 6902, 1350),
    Tissue('Brain_Spinal_cord_cervical_c-1', 'Brain - Spinal cord (cervical c-1)', 'Brain', 'BRNSPC', '#EEEE00', 'UBERON:0006469', 159, 126, 4483, 1144),
    Tissue('Brain_Substantia_nigra', 'Brain - Substantia nigra', 'Brain', 'BRNSNG', '#EEEE00', 'UBERON:0002038', 139, 114, 3301, 814),
    Tissue('Breast_Mammary_Tissue', 'Breast - Mammary Tissue', 'Breast', 'BREAST', '#33CCCC', 'UBERON:0008367', 459, 396, 10872, 4124),
    Tissue('Cells_EBV-transformed_lymphocytes', 'Cells - EBV-transformed lymphocytes', 'Blood Vessel', 'LCL', '#CC66FF', 'EFO:0000572', 174, 147, 4934, 2360),
    Tissue('Cells_Cultured_fibroblasts', 'Cells - Cultured fibroblasts', 'Skin', 'FIBRBLS', '#AAEEFF', 'EFO:0002009', 504, 483, 15219, 4586),
    Tissue('Cervix_Ectocervix', 'Cervix - Ectocervix', 'Cervix Uteri', 'CVXECT', '#FFCCCC', 'UBERON:0012249', 9, 9, 0, 0),
    Tissue('Cervix_Endocervix', 'Cervix - Endocervix', 'Cervix Uteri', 'CVSEND', '#CCAADD', 'UBERON:0000458', 10, 10, 0, 0),
    Tissue('Colon_Sigmoid', 'Colon - Sigmoid', 'Colon', 'CLNSGM', '#EEBB77', 'UBERON:0001159', 373, 318, 10550, 3269),
    Tissue('Colon_Transverse', 'Colon - Transverse', 'Colon', 'CLNTRN', '#CC9955', 'UBERON:0001157', 406, 368, 11686, 3459),
    Tissue('Esophagus_Gastroesophageal_Junction', 'Esophagus - Gastroesophageal Junction', 'Esophagus', 'ESPGEJ', '#8B7355', 'UBERON:0004550', 375, 330, 10534, 3286),
    Tissue('Esophagus_Mucosa', 'Esophagus - Mucosa', 'Esophagus', 'ESPMCS', '#552200', 'UBERON:0006920', 555, 497, 14675, 3986),
    Tissue('Esophagus_Muscularis', 'Esophagus - Muscularis', 'Esophagus', 'ESPMSL', '#BB9988', 'UBERON:0004648', 515, 465, 14110, 4088),
    Tissue('Fallopian_Tube', 'Fallopian Tube', 'Fallopian Tube', 'FLLPNT', '#FFCCCC', 'UBERON:0003889', 9, 8, 0, 0),
    Tissue('Heart_Atrial_Appendage', 'Heart - Atrial Appendage', 'Heart', 'HRTAA', '#9900FF', 'UBERON:0006631', 429, 372, 10991, 3055),
    Tissue('Heart_Left_Ventricle', 'Heart - Left Ventricle', 'Heart', 'HRTLV', '#660099', 'UBERON:0006566', 432, 386, 9642, 2357),
    Tissue('Kidney_Cortex', 'Kidney - Cortex', 'Kidney', 'KDNCTX', '#22FFDD', 'UBERON:0001225', 85, 73, 1260, 547),
    Tissue('Kidney_Medulla', 'Kidney - Medulla', 'Kidney', 'KDNMDL', '#33FFC2', 'UBERON:0001293', 4, 4, 0, 0),
    Tissue('Liver', 'Liver', 'Liver', 'LIVER', '#AABB66', 'UBERON:0001114', 226, 208, 5734, 1485),
    Tissue('Lung', 'Lung', 'Lung', 'LUNG', '#99FF00', 'UBERON:0008952', 578, 515, 14113, 4774),
    Tissue('Minor_Salivary_Gland', 'Minor Salivary Gland', 'Salivary Gland', 'SLVRYG', '#99BB88', 'UBERON:0006330', 162, 144, 4836, 1648),
    Tissue('Muscle_Skeletal', 'Muscle - Skeletal', 'Muscle', 'MSCLSK', '#AAAAFF', 'UBERON:0011907', 803, 706, 13532, 4056),
    Tissue('Nerve_Tibial', 'Nerve - Tibial', 'Nerve', 'NERVET', '#FFD700', 'UBERON:0001323', 619, 532, 17285, 5297),
    Tissue('Ovary', 'Ovary', 'Ovary', 'OVARY', '#FFAAFF', 'UBERON:0000992', 180, 167, 5542, 1998),
    Tissue('Pancreas', 'Pancreas', 'Pancreas', 'PNCREAS', '#995522', 'UBERON:0001150', 328, 305, 9660, 2250),
    Tissue('Pituitary', 'Pituitary', 'Pituitary', 'PTTARY', '#AAFF99', 'UBERON:0000007', 283, 237, 9146, 2901),
    Tissue('Prostate', 'Prostate', 'Prostate', 'PRSTTE', '#DDDDDD', 'UBERON:0002367', 245, 221, 7356, 2463),
    Tissue('Skin_Not_Sun_Exposed_Suprapubic', 'Skin - Not Sun Exposed (Suprapubic)', 'Skin', 'SKINNS', '#0000FF', 'UBERON:0036149', 604, 517, 15483, 4652),
    Tissue('Skin_Sun_Exposed_Lower_leg', 'Skin - Sun Exposed (Lower leg)', 'Skin', 'SKINS', '#7777FF', 'UBERON:0004264', 701, 605, 16967, 5134),
    Tissue('Small_Intestine_Terminal_Ileum', 'Small Intestine - Terminal Ileum', 'Small Intestine', 'SNTTRM', '#555522', 'UBERON:0001211', 187, 174, 6681, 2084),
    Tissue('Spleen', 'Spleen', 'Spleen', 'SPLEEN', '#778855', 'UBERON:0002106', 241, 227, 10783, 2837),
    Tissue('Stomach', 'Stomach', 'Stomach', 'STMACH', '#FFDD99', 'UBERON:0000945', 359, 324, 8771, 2638),
    Tissue('Testis', 'Testis', 'Testis', 'TESTIS', '#AAAAAA', 'UBERON:0000473', 361, 322, 18795, 8626),
    Tissue('Thyroid', 'Thyroid', 'Thyroid', 'THYROID', '#006600', 'UBERON:0002046', 653, 574, 17684, 5358),
    Tissue('Uterus', 'Uterus', 'Uterus', 'UTERUS', '#FF66FF', 'UBERON:0000995', 142, 129, 3577, 1524),
    Tissue('Vagina', 'Vagina', 'Vagina', 'VAGINA', '#FF5599', 'UBERON:0000996', 156, 141, 3730, 1460),
    Tissue('Whole_Blood', 'Whole Blood', 'Blood', 'WHLBLD', '#FF00BB', 'UBERON:0013756', 755, 670, 12360, 3013),
)

_BY_ID = {t.tissue_site_detail_id: t for t in TISSUES}


def get_tissue(tissue_id: str) -> Tissue:
    """Look up a tissue by its ``tissueSiteDetailId`` (e.g. ``"Whole_Blood"``)."""
    try:
        return _BY_ID[tissue_id]
    except KeyError:
        known = ", ".join(sorted(_BY_ID))
        raise KeyError(f"unknown tissue {tissue_id!r}; known tissues: {known}") from None


def tissue_table() -> pd.DataFrame:
    """All tissues as a DataFrame, one row per tissue, columns as the :class:`Tissue` fields."""
    import pandas as pd

    return pd.DataFrame([t.__dict__ for t in TISSUES])
